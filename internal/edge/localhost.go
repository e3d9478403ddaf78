package edge

import (
	"net/http"
	"strings"
)

// localDomains are the base domains of the local hostnames HostHandlers serve: the
// loopback name every system resolves for subdomains, and AWS's own for function URLs
// (reachable through a hosts file or a proxy).
var localDomains = [...]string{".localhost", ".on.aws"}

// hostHandler returns the handler of Config.HostHandlers that a Host of the form
// <sub>.<label>[.<region>].localhost names, or nil. It allocates only when host has
// upper-case letters.
func (e *Edge) hostHandler(host string) http.Handler {
	if len(e.cfg.HostHandlers) == 0 || host == "" || host[0] == '[' {
		return nil
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	host = strings.ToLower(host)
	known := false
	for _, d := range localDomains {
		if rest, ok := strings.CutSuffix(host, d); ok {
			host, known = rest, true
			break
		}
	}
	if !known {
		return nil
	}
	sub, rest, ok := strings.Cut(host, ".")
	if !ok || sub == "" {
		return nil
	}
	label, region, _ := strings.Cut(rest, ".")
	if region != "" && !isRegion(region) {
		return nil
	}
	return e.cfg.HostHandlers[label]
}

// Identity is who signed a request.
type Identity struct {
	// AccessKey is the access key id of the signature.
	AccessKey string
	// Account is the account the key belongs to.
	Account string
}

// VerifySignature is for the non-AWS routes that AWS protects with Signature Version 4
// (function URLs with AuthType AWS_IAM): it returns who signed r, a signature scoped to
// service. body is r's whole body. An unsigned request is refused in every mode; in
// sigv4 mode the signature must also be valid for a known key. The error is an
// *protocol.Error worded as AWS's JSON services word authentication failures.
func (e *Edge) VerifySignature(r *http.Request, body []byte, service string) (Identity, error) {
	sig := parseSignature(r)
	if !sig.present {
		return Identity{}, authError(familyJSON, &authFailure{kind: authMissing}, &sig)
	}
	id := Identity{AccessKey: sig.accessKey, Account: e.accountOf(sig.accessKey)}
	if !e.sigv4 {
		return id, nil
	}
	if sig.problem != "" {
		return Identity{}, authError(familyJSON, &authFailure{kind: authMalformed, msg: sig.problem}, &sig)
	}
	if sig.service != service {
		return Identity{}, authError(familyJSON, &authFailure{kind: authMalformed, msg: "Credential should be scoped to correct service: '" + service + "'. "}, &sig)
	}
	cred, ok := e.credential(sig.accessKey)
	if !ok || (cred.SessionToken != "" && cred.SessionToken != sig.token) {
		return Identity{}, authError(familyJSON, &authFailure{kind: authUnknownKey}, &sig)
	}
	if f := e.verifier.verify(&verifyInput{r: r, sig: &sig, body: body, secret: cred.Secret, now: e.cfg.SignatureClock.Now()}); f != nil {
		return Identity{}, authError(familyJSON, f, &sig)
	}
	return id, nil
}
