// Command gen writes internal/services/<pkg>/api_gen.go for every service Overcast serves,
// from the botocore models in internal/protocol/models. It runs through `go generate` in
// internal/protocol (see generate.go there), so its default paths are relative to that
// directory.
//
// Each generated file holds the service's input, output and structure types (struct tags
// as internal/protocol/doc.go specifies), enum values, modeled error constructors, the API
// interface, UnimplementedAPI, the Info operation table and the input validators.
// Identifiers starting with "gen" are the generator's own.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	models := fs.String("models", "models", "directory of the service models")
	out := fs.String("out", "../services", "directory holding one package per service")
	only := fs.String("only", "", "comma-separated packages to generate (default: all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	want := map[string]bool{}
	for _, p := range strings.Split(*only, ",") {
		if p != "" {
			want[p] = true
		}
	}
	for _, svc := range services {
		if len(want) > 0 && !want[svc.Package] {
			continue
		}
		if err := writeService(*models, *out, svc); err != nil {
			return err
		}
	}
	return nil
}

// writeService generates svc and writes <out>/<pkg>/api_gen.go.
func writeService(models, out string, svc service) error {
	src, err := generate(models, svc)
	if err != nil {
		return err
	}
	dir := filepath.Join(out, svc.Package)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "api_gen.go"), src, 0o644)
}
