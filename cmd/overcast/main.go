// Command overcast serves AWS serverless and application services on one local endpoint.
//
//	overcast serve [flags]   run the server (see `overcast serve -h`)
//	overcast version         print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Version is set at build time with -ldflags "-X main.Version=...".
var Version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "overcast:", err)
		}
		os.Exit(exitCode(err))
	}
}

func exitCode(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

// run dispatches to a subcommand.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		args = []string{"serve"}
	}
	switch args[0] {
	case "serve":
		m := NewServeCommand(stdout, stderr)
		if err := m.ParseFlags(args[1:]); err != nil {
			return err
		}
		return m.Run(ctx)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "overcast", Version)
		return nil
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return nil
	default:
		usage(stderr)
		return fmt.Errorf("unknown command %q", args[0])
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Overcast: AWS serverless services on one local endpoint.

Usage:
  overcast serve [flags]   run the server (default command)
  overcast version         print the version

Run "overcast serve -h" for the server's flags.
`)
}
