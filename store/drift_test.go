package store_test

import (
	"sort"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm/schema"

	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// TestModelsMatchMigrations fails when the GORM record types and the tables the migrations
// create disagree: a table or column on one side only, a different nullability or primary key.
func TestModelsMatchMigrations(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		db := store.GormForTests(s)
		tables, err := db.Migrator().GetTables()
		if err != nil {
			t.Fatal(err)
		}
		modelTables := map[string]any{}
		for _, model := range store.RecordsForTests() {
			parsed, err := schema.Parse(model, &sync.Map{}, db.NamingStrategy)
			if err != nil {
				t.Fatal(err)
			}
			modelTables[parsed.Table] = model
		}
		for _, table := range tables {
			if table == "schema_migrations" || strings.HasPrefix(table, "sqlite_") {
				continue
			}
			if _, ok := modelTables[table]; !ok {
				t.Errorf("table %s has no GORM record type", table)
			}
		}
		for table, model := range modelTables {
			if !db.Migrator().HasTable(table) {
				t.Errorf("record type for %s has no table in the migrations", table)
				continue
			}
			parsed, _ := schema.Parse(model, &sync.Map{}, db.NamingStrategy)
			columns, err := db.Migrator().ColumnTypes(model)
			if err != nil {
				t.Fatal(err)
			}
			columnByName := map[string]bool{}
			nullable := map[string]bool{}
			primary := map[string]bool{}
			for _, c := range columns {
				columnByName[c.Name()] = true
				n, _ := c.Nullable()
				nullable[c.Name()] = n
				primary[c.Name()], _ = c.PrimaryKey()
			}
			var fieldNames []string
			for _, field := range parsed.Fields {
				if field.DBName == "" {
					continue
				}
				fieldNames = append(fieldNames, field.DBName)
				if !columnByName[field.DBName] {
					t.Errorf("%s.%s: field %s has no column", table, field.DBName, field.Name)
					continue
				}
				if primary[field.DBName] != field.PrimaryKey {
					t.Errorf("%s.%s: column primary key=%v, field %s primary key=%v", table, field.DBName, primary[field.DBName], field.Name, field.PrimaryKey)
				}
				fieldNullable := field.FieldType.Kind().String() == "ptr"
				if !field.PrimaryKey && nullable[field.DBName] != fieldNullable {
					t.Errorf("%s.%s: column nullable=%v, field %s nullable=%v", table, field.DBName, nullable[field.DBName], field.Name, fieldNullable)
				}
			}
			sort.Strings(fieldNames)
			for name := range columnByName {
				if i := sort.SearchStrings(fieldNames, name); i == len(fieldNames) || fieldNames[i] != name {
					t.Errorf("%s.%s: column has no field in the record type", table, name)
				}
			}
		}
	})
}
