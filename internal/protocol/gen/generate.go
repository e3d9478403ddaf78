package main

import (
	"bytes"
	"fmt"
	"go/format"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// protocolConsts maps model protocol names to the constants of package protocol.
var protocolConsts = map[string]string{
	"json":               "protocol.JSON",
	"query":              "protocol.Query",
	"rest-json":          "protocol.RestJSON",
	"rest-xml":           "protocol.RestXML",
	"smithy-rpc-v2-cbor": "protocol.CBOR",
}

// generator writes the api_gen.go file of one service.
type generator struct {
	svc service
	m   *model
	q   *queryOverlay // nil unless the service also speaks its older query protocol

	protocols       []string
	queryCompatible bool
	// xmlish is true when some protocol the service speaks is XML- or query-shaped, so
	// that the flat/member/key/value/xmlattr/xmlns tags matter.
	xmlish bool

	ns          namespace
	reach       map[string]bool // shapes reachable from any operation
	inputReach  map[string]bool // shapes reachable from operation inputs
	typeNames   map[string]string
	enumConsts  map[string][]string
	enumVars    map[string]string
	errConsts   map[string]string
	errFuncs    map[string]string
	needsCheck  map[string]bool
	redacting   bool              // writing the checks of a sensitive value
	patterns    map[string]string // RE2 pattern -> variable name
	patternList []string
	dropped     []string // modeled patterns Go's regexp cannot compile
	imports     map[string]bool

	buf bytes.Buffer
}

// generate returns the formatted api_gen.go of svc, reading models from dir.
func generate(dir string, svc service) ([]byte, error) {
	m, err := readModel(filepath.Join(dir, svc.Model+".json"))
	if err != nil {
		return nil, err
	}
	g := &generator{svc: svc, m: m}
	if svc.QueryModel != "" {
		if g.q, err = readOverlay(dir, svc.QueryModel, svc.QueryErrors, m); err != nil {
			return nil, err
		}
	}
	g.prepare()
	g.write()
	src, err := format.Source(g.buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("%s: format generated code: %w", svc.Model, err)
	}
	return src, nil
}

func (g *generator) p(format string, args ...any) {
	fmt.Fprintf(&g.buf, format, args...)
	g.buf.WriteByte('\n')
}

func (g *generator) shape(name string) *shape { return g.m.Shapes[name] }

func (g *generator) sortedOps() []*operation {
	ops := make([]*operation, 0, len(g.m.Operations))
	for _, op := range g.m.Operations {
		ops = append(ops, op)
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].Name < ops[j].Name })
	return ops
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// refs returns the references a shape makes to other shapes.
func (sh *shape) refs() []*shapeRef {
	var rs []*shapeRef
	for _, m := range sh.Members {
		rs = append(rs, m.Ref)
	}
	for _, r := range []*shapeRef{sh.Member, sh.Key, sh.Value} {
		if r != nil {
			rs = append(rs, r)
		}
	}
	return rs
}

func (g *generator) walk(name string, seen map[string]bool) {
	if seen[name] {
		return
	}
	seen[name] = true
	sh := g.shape(name)
	if sh.Document {
		return
	}
	for _, r := range sh.refs() {
		g.walk(r.Shape, seen)
	}
}

// prepare decides which Go declarations the file holds and names them.
func (g *generator) prepare() {
	md := g.m.Metadata
	g.protocols = md.Protocols
	if len(g.protocols) == 0 {
		g.protocols = []string{md.Protocol}
	}
	if g.q != nil && !slices.Contains(g.protocols, "query") {
		g.protocols = append(slices.Clone(g.protocols), "query")
	}
	g.queryCompatible = md.AWSQueryCompatible != nil
	for _, p := range g.protocols {
		if p == "query" || p == "rest-xml" {
			g.xmlish = true
		}
	}

	g.reach, g.inputReach = map[string]bool{}, map[string]bool{}
	ioUse := map[string]int{}
	for _, op := range g.m.Operations {
		if op.Input != nil {
			g.walk(op.Input.Shape, g.reach)
			g.walk(op.Input.Shape, g.inputReach)
			ioUse[op.Input.Shape]++
		}
		if op.Output != nil {
			g.walk(op.Output.Shape, g.reach)
			ioUse[op.Output.Shape]++
		}
	}
	memberUse := map[string]bool{}
	for name := range g.reach {
		for _, r := range g.shape(name).refs() {
			memberUse[r.Shape] = true
		}
	}

	g.ns = newNamespace()
	for _, n := range []string{"genCall", "genServiceID"} {
		g.ns.claim(n)
	}
	for _, op := range g.sortedOps() {
		g.ns.claim(op.Name + "Input")
		g.ns.claim(op.Name + "Output")
	}
	// A structure gets a Go type of its own when a member refers to it, or when several
	// operations share it as input or output (their types are then defined from it).
	g.typeNames = map[string]string{}
	for _, name := range sortedKeys(g.reach) {
		sh := g.shape(name)
		if sh.Type != "structure" || sh.Document {
			continue
		}
		if memberUse[name] || (ioUse[name] > 1 && !g.hasStreaming(sh)) {
			g.typeNames[name] = g.ns.claim(exported(name))
		}
	}
	g.enumVars, g.enumConsts = map[string]string{}, map[string][]string{}
	var enums []string
	for _, name := range sortedKeys(g.reach) {
		if len(g.shape(name).Enum) > 0 {
			enums = append(enums, name)
			g.enumVars[name] = g.ns.claim(exported(name) + "Values")
		}
	}
	for _, name := range enums {
		for i, v := range g.shape(name).Enum {
			suffix := enumValueName(v)
			if suffix == "" {
				suffix = "Value" + strconv.Itoa(i)
			}
			g.enumConsts[name] = append(g.enumConsts[name], g.ns.claim(exported(name)+suffix))
		}
	}
	g.errConsts, g.errFuncs = map[string]string{}, map[string]string{}
	for _, name := range sortedKeys(g.m.Shapes) {
		if g.shape(name).Exception {
			g.errConsts[name] = g.ns.claim("ErrCode" + exported(name))
			g.errFuncs[name] = g.ns.claim("New" + exported(name))
		}
	}
	g.patterns = map[string]string{}
	g.imports = map[string]bool{"context": true, "fmt": true}
	g.computeNeedsCheck()
}

func (g *generator) hasStreaming(sh *shape) bool {
	for _, m := range sh.Members {
		t := g.shape(m.Ref.Shape)
		if m.Ref.Streaming || t.Streaming || t.EventStream {
			return true
		}
	}
	return false
}

// errorOf returns the code, query code, status and fault of the modeled error name.
func (g *generator) errorOf(name string) (code, queryCode string, status int, receiver bool) {
	sh := g.shape(name)
	et := sh.Error
	if g.q != nil && g.q.errors[name] != nil {
		et = g.q.errors[name]
	}
	wire := name
	if et != nil && et.Code != "" {
		wire = et.Code
	}
	code = name
	switch {
	case g.m.Metadata.Protocol == "query":
		code = wire
	case wire != name && (g.queryCompatible || g.q != nil || slices.Contains(g.protocols, "query")):
		queryCode = wire
	}
	if et != nil {
		status = et.HTTPStatusCode
	}
	receiver = sh.Fault || (et != nil && !et.SenderFault && status >= 500)
	if status == 0 {
		status = 400
		if receiver {
			status = 500
		}
	}
	return code, queryCode, status, receiver
}

// write writes the file into g.buf: the body first, since it decides the imports, then
// the header in front of it.
func (g *generator) write() {
	g.writeInfo()
	g.writeAPI()
	g.writeErrors()
	g.writeEnums()
	g.writeTypes()
	g.writeHelpers()
	g.writePatterns()
	body := bytes.Clone(g.buf.Bytes())
	g.buf.Reset()

	sources := g.svc.Model + ".json"
	if g.q != nil {
		sources += ", " + g.svc.QueryModel + " and " + g.svc.QueryErrors
	}
	g.p("// Code generated by internal/protocol/gen from internal/protocol/models/%s. DO NOT EDIT.", sources)
	g.p("")
	g.p("package %s", g.svc.Package)
	g.p("")
	g.p("import (")
	for _, imp := range sortedKeys(g.imports) {
		g.p("%q", imp)
	}
	g.p("")
	g.p("\"github.com/overcast/overcast/internal/protocol\"")
	g.p(")")
	g.buf.Write(body)
}

func (g *generator) writeInfo() {
	md := g.m.Metadata
	signing := md.SigningName
	if signing == "" {
		signing = md.EndpointPrefix
	}
	ns := md.XMLNamespace
	if ns == "" && g.q != nil {
		ns = g.q.model.Metadata.XMLNamespace
	}
	protoConst := func(p string) string {
		if c, ok := protocolConsts[p]; ok {
			return c
		}
		return strconv.Quote(p)
	}
	var protos []string
	for _, p := range g.protocols {
		protos = append(protos, protoConst(p))
	}

	g.p("")
	g.p("// genServiceID is the model's serviceId, as NotImplemented names the service.")
	g.p("const genServiceID = %q", md.ServiceID)
	g.p("")
	g.p("// Info describes the %s API as its model does.", md.ServiceID)
	g.p("var Info = &protocol.ServiceInfo{")
	g.p("Package: %q,", g.svc.Package)
	g.p("ModelName: %q,", g.svc.Model)
	g.p("FullName: %q,", md.ServiceFullName)
	g.p("APIVersion: %q,", md.APIVersion)
	g.p("Protocol: %s,", protoConst(md.Protocol))
	g.p("Protocols: []string{%s},", strings.Join(protos, ", "))
	g.p("JSONVersion: %q,", md.JSONVersion)
	g.p("TargetPrefix: %q,", md.TargetPrefix)
	g.p("SigningName: %q,", signing)
	g.p("EndpointPrefix: %q,", md.EndpointPrefix)
	g.p("XMLNamespace: %q,", ns)
	g.p("QueryCompatible: %v,", g.queryCompatible)
	g.p("Operations: []*protocol.Operation{")
	for _, op := range g.sortedOps() {
		g.p("{")
		g.p("Name: %q,", op.Name)
		g.p("Method: %q,", op.HTTP.Method)
		g.p("RequestURI: %q,", op.HTTP.RequestURI)
		if op.HTTP.ResponseCode != 0 {
			g.p("ResponseCode: %d,", op.HTTP.ResponseCode)
		}
		if rw := g.resultWrapper(op); rw != "" {
			g.p("ResultWrapper: %q,", rw)
		}
		g.p("NewInput: func() any { return new(%sInput) },", op.Name)
		g.p("Call: genCall,")
		var errs []string
		for _, e := range op.Errors {
			if c := g.errConsts[e.Shape]; c != "" && !slices.Contains(errs, c) {
				errs = append(errs, c)
			}
		}
		if len(errs) > 0 {
			g.p("Errors: []string{%s},", strings.Join(errs, ", "))
		}
		if g.eventStreamOutput(op) {
			g.p("EventStreamOutput: true,")
		}
		if op.noAuth() {
			g.p("NoAuth: true,")
		}
		g.p("},")
	}
	g.p("},")
	g.p("}")
}

func (g *generator) resultWrapper(op *operation) string {
	if g.q != nil {
		if qop := g.q.model.Operations[op.Name]; qop != nil && qop.Output != nil {
			return qop.Output.ResultWrapper
		}
	}
	if op.Output != nil {
		return op.Output.ResultWrapper
	}
	return ""
}

func (g *generator) eventStreamOutput(op *operation) bool {
	if op.Output == nil {
		return false
	}
	for _, m := range g.shape(op.Output.Shape).Members {
		if g.shape(m.Ref.Shape).EventStream {
			return true
		}
	}
	return false
}

func (g *generator) writeAPI() {
	ops := g.sortedOps()
	g.p("")
	g.p("// API has one method per operation of %s. Model validation has run on the input", g.m.Metadata.ServiceID)
	g.p("// before a method is called. A method returns a *protocol.Error for anything the client")
	g.p("// should see; a nil output with a nil error answers an empty output.")
	g.p("type API interface {")
	for _, op := range ops {
		g.p("%s(ctx context.Context, in *%sInput) (*%sOutput, error)", op.Name, op.Name, op.Name)
	}
	g.p("}")
	g.p("")
	g.p("// UnimplementedAPI answers every operation with NotImplemented. Service embeds it, so an")
	g.p("// operation without a handler still compiles and answers clearly.")
	g.p("type UnimplementedAPI struct{}")
	for _, op := range ops {
		g.p("")
		g.p("// %s answers NotImplemented.", op.Name)
		g.p("func (UnimplementedAPI) %s(context.Context, *%sInput) (*%sOutput, error) {", op.Name, op.Name, op.Name)
		g.p("return nil, protocol.NotImplemented(genServiceID, %q)", op.Name)
		g.p("}")
	}
}

func (g *generator) writeErrors() {
	names := sortedKeys(g.errConsts)
	if len(names) == 0 {
		return
	}
	g.p("")
	g.p("// Codes of the modeled errors, as the primary protocol sends them.")
	g.p("const (")
	for _, name := range names {
		code, _, _, _ := g.errorOf(name)
		g.p("%s = %q", g.errConsts[name], code)
	}
	g.p(")")
	for _, name := range names {
		_, queryCode, status, receiver := g.errorOf(name)
		g.p("")
		g.p("// %s returns the modeled %s error carrying msg.", g.errFuncs[name], name)
		g.p("func %s(msg string) *protocol.Error {", g.errFuncs[name])
		fields := []string{"Code: " + g.errConsts[name], "Message: msg", "Status: " + strconv.Itoa(status)}
		if receiver {
			fields = append(fields, "Fault: protocol.FaultReceiver")
		}
		if queryCode != "" {
			fields = append(fields, "QueryCode: "+strconv.Quote(queryCode))
		}
		members := map[string]*shapeRef{}
		for _, m := range g.shape(name).Members {
			members[m.Name] = m.Ref
		}
		if _, lower := members["message"]; !lower {
			if _, upper := members["Message"]; upper {
				fields = append(fields, `MessageKey: "Message"`)
			}
		}
		// Lambda's error shapes carry Type: "User" for the caller's mistakes and "Service"
		// for Lambda's own failures, in every error body.
		if m, ok := members["Type"]; ok && g.shape(m.Shape).Type == "string" {
			typ := "User"
			if receiver {
				typ = "Service"
			}
			fields = append(fields, fmt.Sprintf("Fields: map[string]any{%q: %q}", "Type", typ))
		}
		g.p("return &protocol.Error{%s}", strings.Join(fields, ", "))
		g.p("}")
	}
}

func (g *generator) writeEnums() {
	for _, name := range sortedKeys(g.enumVars) {
		sh := g.shape(name)
		g.p("")
		g.p("// Values of the %s enum.", name)
		g.p("const (")
		for i, v := range sh.Enum {
			g.p("%s = %q", g.enumConsts[name][i], v)
		}
		g.p(")")
		g.p("")
		g.p("// %s lists every value of the %s enum.", g.enumVars[name], name)
		g.p("var %s = []string{%s}", g.enumVars[name], strings.Join(g.enumConsts[name], ", "))
	}
}

func (g *generator) writeTypes() {
	for _, op := range g.sortedOps() {
		g.writeIO(op, op.Input, op.Name+"Input", false)
		g.writeIO(op, op.Output, op.Name+"Output", true)
	}
	for _, name := range sortedKeys(g.typeNames) {
		sh := g.shape(name)
		tn := g.typeNames[name]
		g.p("")
		switch {
		case sh.EventStream:
			g.p("// %s is the event stream %s: one member per kind of event.", tn, name)
		case sh.Exception:
			g.p("// %s is the body of the modeled %s error.", tn, name)
		default:
			g.p("// %s is the %s structure of the model.", tn, name)
		}
		g.writeStruct(tn, name, sh, nil, false)
		if g.inputReach[name] && g.needsCheck[name] {
			g.writeValidate(tn, name, sh)
		}
	}
}

func (g *generator) writeIO(op *operation, ref *shapeRef, tn string, output bool) {
	g.p("")
	kind := "input"
	if output {
		kind = "output"
	}
	g.p("// %s is the %s of %s.", tn, kind, op.Name)
	switch {
	case ref == nil:
		g.p("type %s struct{}", tn)
		if !output {
			g.p("")
			g.p("// Validate checks in against the model: %s has no input members.", op.Name)
			g.p("func (in *%s) Validate(v *protocol.Validator) {}", tn)
		}
	case g.typeNames[ref.Shape] != "":
		base := g.typeNames[ref.Shape]
		g.p("type %s %s", tn, base)
		if !output {
			g.p("")
			g.p("// Validate checks in against the model.")
			if g.needsCheck[ref.Shape] {
				g.p("func (in *%s) Validate(v *protocol.Validator) { (*%s)(in).Validate(v) }", tn, base)
			} else {
				g.p("func (in *%s) Validate(v *protocol.Validator) {}", tn)
			}
		}
	default:
		sh := g.shape(ref.Shape)
		g.writeStruct(tn, ref.Shape, sh, ref, output)
		if !output {
			g.writeValidate(tn, ref.Shape, sh)
		}
	}
}

// writeStruct writes the struct type tn for shape sh. ioRef is the operation's reference
// for inputs and outputs (it may carry the root element of a rest-xml body).
func (g *generator) writeStruct(tn, name string, sh *shape, ioRef *shapeRef, output bool) {
	ms := g.orderedMembers(sh)
	if len(ms) == 0 && !g.hasXMLRoot(sh, ioRef) {
		g.p("type %s struct{}", tn)
		return
	}
	g.p("type %s struct {", tn)
	if g.hasXMLRoot(sh, ioRef) {
		root, ns := sh.LocationName, sh.XMLNamespace
		if ioRef != nil && ioRef.LocationName != "" {
			root = ioRef.LocationName
		}
		if ioRef != nil && ioRef.XMLNamespace != nil {
			ns = ioRef.XMLNamespace
		}
		var tags []string
		if root != "" {
			tags = append(tags, "xmlname:"+strconv.Quote(root))
		}
		if ns != nil {
			tags = append(tags, "xmlns:"+strconv.Quote(ns.String()))
		}
		g.p("_ struct{} `%s`", strings.Join(tags, " "))
	}
	fields := map[string]bool{}
	for _, m := range ms {
		fn := fieldName(m.Name)
		for fields[fn] {
			fn += "_"
		}
		fields[fn] = true
		g.p("%s %s `%s`", fn, g.goType(m.Ref, output), g.tags(name, sh, m))
	}
	g.p("}")
}

func (g *generator) hasXMLRoot(sh *shape, ioRef *shapeRef) bool {
	if !g.xmlish {
		return false
	}
	if ioRef != nil && (ioRef.LocationName != "" || ioRef.XMLNamespace != nil) {
		return true
	}
	return sh.LocationName != "" || sh.XMLNamespace != nil
}

// orderedMembers returns the members in the model's xmlOrder when it has one.
func (g *generator) orderedMembers(sh *shape) members {
	if len(sh.XMLOrder) == 0 {
		return sh.Members
	}
	var out members
	for _, n := range sh.XMLOrder {
		if r := sh.Members.find(n); r != nil {
			out = append(out, member{Name: n, Ref: r})
		}
	}
	for _, m := range sh.Members {
		if !slices.Contains(sh.XMLOrder, m.Name) {
			out = append(out, m)
		}
	}
	return out
}

// goType returns the Go type of a member. output is true for the members of an
// operation's output, where a streaming blob is an io.ReadCloser.
func (g *generator) goType(ref *shapeRef, output bool) string {
	sh := g.shape(ref.Shape)
	switch sh.Type {
	case "blob":
		if output && (ref.Streaming || sh.Streaming) {
			g.imports["io"] = true
			return "io.ReadCloser"
		}
		return "[]byte"
	case "structure":
		switch {
		case sh.Document:
			return "protocol.Document"
		case sh.EventStream:
			return "any"
		}
		return "*" + g.typeNames[ref.Shape]
	case "list":
		return "[]" + g.elemType(sh.Member)
	case "map":
		return "map[string]" + g.elemType(sh.Value)
	}
	return "*" + g.scalarType(sh)
}

// elemType is the Go type of list items and map values: scalars without the pointer.
func (g *generator) elemType(ref *shapeRef) string {
	sh := g.shape(ref.Shape)
	switch sh.Type {
	case "blob", "structure", "list", "map":
		return g.goType(ref, false)
	}
	return g.scalarType(sh)
}

func (g *generator) scalarType(sh *shape) string {
	switch sh.Type {
	case "string", "bigdecimal", "biginteger":
		return "string"
	case "integer":
		return "int32"
	case "long":
		return "int64"
	case "boolean":
		return "bool"
	case "float":
		return "float32"
	case "double":
		return "float64"
	case "timestamp":
		g.imports["time"] = true
		return "time.Time"
	}
	panic(fmt.Sprintf("unknown shape type %q", sh.Type))
}

// wire is how a member is named on the XML and query wire.
type wire struct {
	name               string
	flat               bool
	member, key, value string
}

func wireOf(m *model, memberName string, ref *shapeRef) wire {
	t := m.Shapes[ref.Shape]
	w := wire{name: firstOf(ref.LocationName, t.LocationName, memberName), flat: ref.Flattened || t.Flattened}
	switch t.Type {
	case "list":
		w.member = firstOf(t.Member.LocationName, "member")
	case "map":
		w.key = firstOf(t.Key.LocationName, "key")
		w.value = firstOf(t.Value.LocationName, "value")
	}
	return w
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// tags returns the struct tags of member m of the structure shape structName (see the
// spec in internal/protocol/doc.go).
func (g *generator) tags(structName string, parent *shape, m member) string {
	ref := m.Ref
	t := g.shape(ref.Shape)
	w := wireOf(g.m, m.Name, ref)
	var tags []string
	add := func(k, v string) { tags = append(tags, k+":"+strconv.Quote(v)) }
	add("name", w.name)
	// The member's model name, where the wire names it otherwise: JavaString names
	// members as AWS's messages do.
	if w.name != m.Name {
		add("model", m.Name)
	}
	if ref.Location != "" {
		add("loc", ref.Location)
	}
	if parent.Payload == m.Name {
		add("payload", "true")
	}
	if ts := g.timestampFormat(ref); ts != "" {
		add("ts", ts)
	}
	if g.xmlish {
		if w.flat {
			add("flat", "true")
		}
		if w.member != "" && w.member != "member" {
			add("member", w.member)
		}
		if w.key != "" && w.key != "key" {
			add("key", w.key)
		}
		if w.value != "" && w.value != "value" {
			add("value", w.value)
		}
		if ref.XMLAttribute {
			add("xmlattr", "true")
		}
		if ref.XMLNamespace != nil {
			add("xmlns", ref.XMLNamespace.String())
		}
	}
	if ref.JSONValue || t.JSONValue {
		add("jsonvalue", "true")
	}
	if t.Type == "blob" && (ref.Streaming || t.Streaming) {
		add("stream", "true")
	}
	if ref.HostLabel {
		add("hostLabel", "true")
	}
	if t.EventStream {
		add("eventstream", "true")
	}
	if ref.EventPayload {
		add("eventpayload", "true")
	}
	if ref.EventHeader {
		add("eventheader", "true")
	}
	if slices.Contains(parent.Required, m.Name) {
		add("required", "true")
	}
	if g.q != nil {
		if qs := g.q.model.Shapes[structName]; qs != nil && qs.Type == "structure" {
			if qref := qs.Members.find(m.Name); qref != nil {
				q := wireOf(g.q.model, m.Name, qref)
				if q.name != w.name {
					add("qname", q.name)
				}
				if q.flat != w.flat {
					add("qflat", strconv.FormatBool(q.flat))
				}
				if q.member != w.member {
					add("qmember", q.member)
				}
				if q.key != w.key {
					add("qkey", q.key)
				}
				if q.value != w.value {
					add("qvalue", q.value)
				}
			}
		}
	}
	return strings.Join(tags, " ")
}

// timestampFormat is the member's modeled timestamp format, for timestamps and for lists
// and maps of timestamps.
func (g *generator) timestampFormat(ref *shapeRef) string {
	t := g.shape(ref.Shape)
	switch t.Type {
	case "timestamp":
		return firstOf(ref.TimestampFormat, t.TimestampFormat)
	case "list":
		return g.timestampFormat(t.Member)
	case "map":
		return g.timestampFormat(t.Value)
	}
	return ""
}

// writeHelpers writes genCall, the Call of every operation. It finds the operation by
// the type of its input: one type switch compiles much faster than a function per
// operation.
func (g *generator) writeHelpers() {
	g.p("")
	g.p("// genCall is protocol.Operation.Call for every operation: the type of in names the")
	g.p("// operation. It answers an empty output when the method returns none.")
	g.p("func genCall(ctx context.Context, api any, in any) (any, error) {")
	g.p("a, ok := api.(API)")
	g.p("if !ok {")
	g.p("return nil, protocol.InternalFailure(fmt.Errorf(\"%%T does not implement the %%s API\", api, genServiceID))")
	g.p("}")
	g.p("var out any")
	g.p("var err error")
	g.p("switch in := in.(type) {")
	for _, op := range g.sortedOps() {
		g.p("case *%sInput:", op.Name)
		g.p("o, e := a.%s(ctx, in)", op.Name)
		g.p("if o == nil {")
		g.p("o = new(%sOutput)", op.Name)
		g.p("}")
		g.p("out, err = o, e")
	}
	g.p("default:")
	g.p("return nil, protocol.InternalFailure(fmt.Errorf(\"%%s has no operation taking %%T\", genServiceID, in))")
	g.p("}")
	g.p("if err != nil {")
	g.p("return nil, err")
	g.p("}")
	g.p("return out, nil")
	g.p("}")
}

func (g *generator) writePatterns() {
	if len(g.dropped) > 0 {
		sort.Strings(g.dropped)
		g.p("")
		g.p("// These modeled patterns are not checked: Go's regexp cannot compile them.")
		for _, p := range g.dropped {
			g.p("//\t%s", p)
		}
	}
	if len(g.patternList) == 0 {
		return
	}
	g.p("")
	g.p("// Modeled patterns, compiled on first use.")
	g.p("var (")
	for _, p := range g.patternList {
		g.p("%s = protocol.NewLazyRegexp(%s)", g.patterns[p], goString(p))
	}
	g.p(")")
}

// goString quotes s as a raw string literal when it can, which keeps regular expressions
// readable.
func goString(s string) string {
	if !strings.Contains(s, "`") && strconv.CanBackquote(s) {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}
