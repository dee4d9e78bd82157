package adfq

// Query-by-example (framework version 1): terms joined by ; outside quoted values, all of
// which must hold. A term is
//
//	Attribute <comparison> value
//	Attribute = <comparison> value              (RoleId=>5)
//	Attribute [=] [NOT] LIKE pattern            (* and % any run, _ one character)
//	Attribute [=] [NOT] IN (value, ...)
//	Attribute [=] [NOT] BETWEEN value AND value
//	Attribute [=] IS [NOT] NULL
//
// A value is a word or quoted with ' or " (the quote doubled inside it); a value holding
// spaces, quotes, ; or the characters of operators (= < > ! ( ) ,), or that is an operator's
// word, must be quoted.

func parseQBE(src []rune, c *Catalogue, b *bounds) (Expr, error) {
	var terms []Expr
	start := 0
	var quote rune
	for i := 0; i <= len(src); i++ {
		if i < len(src) {
			switch r := src[i]; {
			case quote != 0 && r == quote:
				quote = 0 // a doubled quote closes and reopens the value: the same split
				continue
			case quote != 0:
				continue
			case r == '\'' || r == '"':
				quote = r
				continue
			case r != ';':
				continue
			}
		}
		term, err := parseQBETerm(src, start, i, c, b)
		if err != nil {
			return nil, err
		}
		if term != nil {
			terms = append(terms, term)
		}
		start = i + 1
	}
	switch len(terms) {
	case 0:
		return nil, nil
	case 1:
		return terms[0], nil
	}
	return &andExpr{terms: terms}, nil
}

// parseQBETerm reads the term src[from:to]; nil when it is blank.
func parseQBETerm(src []rune, from, to int, c *Catalogue, b *bounds) (Expr, error) {
	toks, err := tokens(src, from, to, true)
	if err != nil {
		return nil, err
	}
	if toks[0].kind == kEOF {
		return nil, nil
	}
	p := &parser{toks: toks, cat: c, b: b, qbe: true}
	attrToken := p.take()
	if attrToken.kind != kWord || attrToken.isKeyword() {
		return nil, attrToken.errorf("expected an attribute: a term is Attribute=value")
	}
	a, ok := c.Lookup(attrToken.text)
	if !ok {
		return nil, attrToken.errorf("isn't a queryable attribute (attribute names are case-sensitive)")
	}
	if err := b.condition(attrToken); err != nil {
		return nil, err
	}
	cond := &condition{attr: a}
	opToken := p.take()
	if opToken.kind == kOp && opToken.text == "=" {
		// The value may start with an operator of its own.
		if next := p.peek(); next.kind == kOp || next.keyword("LIKE") || next.keyword("IN") ||
			next.keyword("BETWEEN") || next.keyword("IS") || next.keyword("NOT") {
			opToken = p.take()
		}
	}
	if opToken.kind == kEOF {
		return nil, opToken.errorf("expected an operator and a value after %s", a.Name)
	}
	if err := p.predicate(cond, opToken); err != nil {
		return nil, err
	}
	if rest := p.peek(); rest.kind != kEOF {
		return nil, rest.errorf("a term holds one condition (join terms with ;), and a value holding spaces, quotes or operators is quoted")
	}
	return cond, nil
}
