// Command custaccess serves the three vendors' customer-access APIs, and manages its
// database: serve, migrate, seed FILE, token.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: custaccess <command> [flags]

commands:
  serve [--demo]   run the HTTP service (migrations run first)
  migrate          apply the database migrations and exit
  seed FILE        load reference data from a YAML or JSON file
  token            print a bearer token: --user LOGIN | --client CLIENT_ID [--scope S] [--ttl 1h]

Every command takes --data-dir, --database-url and --token-secret; serve also --addr.
Each flag defaults to its environment variable: CUSTACCESS_DATA_DIR (./data), DATABASE_URL
(empty: embedded SQLite in the data directory), CUSTACCESS_TOKEN_SECRET (empty: generated once
into the data directory), CUSTACCESS_ADDR (:8080).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "custaccess:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	command, args := args[0], args[1:]
	switch command {
	case "serve":
		return serve(ctx, args, stdout, logger)
	case "migrate":
		return migrate(ctx, args, logger)
	case "seed":
		return seed(ctx, args, logger)
	case "token":
		return token(ctx, args, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", command)
}
