package lambdart

import _ "embed"

//go:embed bootstrap/python/bootstrap.py
var pythonBootstrap []byte

//go:embed bootstrap/node/bootstrap.js
var nodeBootstrap []byte

// bootstrapFiles are written under the runtime directory (/var/runtime in a sandbox).
var bootstrapFiles = []struct {
	name string
	data []byte
}{
	{"python/bootstrap.py", pythonBootstrap},
	{"node/bootstrap.js", nodeBootstrap},
}
