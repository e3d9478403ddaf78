package protocol

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"reflect"
)

// restXMLCodec speaks restXml: members bound to the URI, query string and headers, the
// rest in an XML body (or one member as the whole body). S3's errors are a bare <Error>
// element; other rest-xml services wrap it in <ErrorResponse>.
type restXMLCodec struct{}

// MalformedXML answers a rest-xml body that is not well-formed XML.
func MalformedXML() *Error {
	return &Error{
		Code:    "MalformedXML",
		Message: "The XML you provided was not well-formed or did not validate against our published schema",
		Status:  http.StatusBadRequest,
	}
}

// InvalidArgument answers a rest-xml header, label or query parameter that does not fit
// its member, as S3 does.
func InvalidArgument(msg string) *Error {
	return &Error{Code: "InvalidArgument", Message: msg, Status: http.StatusBadRequest}
}

var restXMLFormat = restFormat{
	decodeBody: func(body []byte, v reflect.Value, si *structInfo, bodyOnly bool) *Error {
		root, err := parseXML(body)
		if err != nil {
			return MalformedXML()
		}
		return xmlDecoder{invalid: func(string) *Error { return MalformedXML() }}.decodeXMLStruct(root, v, si, bodyOnly)
	},
	invalid: InvalidArgument,
}

// Decode implements Codec.
func (restXMLCodec) Decode(req *Request, in any) error {
	return decodeREST(req, in, restXMLFormat)
}

const xmlDecl = `<?xml version="1.0" encoding="UTF-8"?>`

func isS3(svc *ServiceInfo) bool {
	return svc != nil && (svc.ModelName == "s3" || svc.Package == "s3")
}

// setRESTXMLRequestID sets the request id headers: S3's x-amz-request-id and
// x-amz-id-2, or x-amzn-RequestId for other services.
func setRESTXMLRequestID(h http.Header, req *Request) {
	if !isS3(req.Service) {
		h.Set(hdrRequestID, req.RequestID)
		return
	}
	h.Set("X-Amz-Request-Id", req.RequestID)
	h.Set("X-Amz-Id-2", hostID(req.RequestID))
}

// hostID derives S3's opaque extended request id from the request id.
func hostID(requestID string) string {
	sum := sha256.Sum256([]byte(requestID))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// EncodeOutput implements Codec.
func (restXMLCodec) EncodeOutput(w http.ResponseWriter, req *Request, out any) {
	h := w.Header()
	setRESTXMLRequestID(h, req)
	v, si := outputStruct(out)
	if si == nil {
		writeRESTBody(w, req, http.StatusOK, "", nil)
		return
	}
	status := encodeBindings(h, v, si, req.Op)
	bp := getBuf()
	defer putBuf(bp)
	b := *bp
	ns := xmlNamespace(req.Service)
	switch f := si.payload; {
	case f != nil:
		if encodePayload(w, req, status, v.Field(f.index), f) {
			return
		}
		fv := v.Field(f.index)
		if isEmpty(fv) {
			writeRESTBody(w, req, status, "", nil)
			return
		}
		st := f.t.st
		name := st.xmlName
		if name == "" {
			name = f.xname()
		}
		switch {
		case f.xmlNS != "":
			ns = f.xmlNS
		case st.xmlNS != "":
			ns = st.xmlNS
		}
		b = append(b, xmlDecl...)
		b = appendXMLElement(b, name, ns, fv, f.t, tsDefault)
	case si.hasBody:
		name := si.xmlName
		if name == "" && isS3(req.Service) && req.Op != nil {
			name = s3RootElements[req.Op.Name]
		}
		if name == "" {
			name = si.name
		}
		if si.xmlNS != "" {
			ns = si.xmlNS
		}
		b = append(b, xmlDecl...)
		if f := soleScalarBody(si); f != nil && f.xname() == name {
			// The root element is the member itself (S3 GetBucketLocation answers
			// <LocationConstraint>eu-west-1</LocationConstraint>).
			b = appendStartTag(b, name, ns, reflect.Value{}, nil)
			if fv := v.Field(f.index); !isEmpty(fv) {
				b = appendXMLScalar(b, fv, f.t, f.ts)
			}
			b = appendEndTag(b, name)
			break
		}
		b = appendStartTag(b, name, ns, v, si)
		b = appendXMLMembers(b, v, si, true)
		b = appendEndTag(b, name)
	default:
		writeRESTBody(w, req, status, "", nil)
		return
	}
	writeRESTBody(w, req, status, "application/xml", b)
	*bp = b
}

// soleScalarBody returns the only body member of si when it is a scalar.
func soleScalarBody(si *structInfo) *fieldInfo {
	var sole *fieldInfo
	for _, f := range si.fields {
		if f.loc != locBody || f.payload || f.xmlAttr {
			continue
		}
		if sole != nil || !isScalar(f.t) {
			return nil
		}
		sole = f
	}
	return sole
}

// s3RootElements names the root element of S3 answers whose output shape the model
// leaves unnamed, as S3 writes them.
var s3RootElements = map[string]string{
	"CompleteMultipartUpload":            "CompleteMultipartUploadResult",
	"CreateMultipartUpload":              "InitiateMultipartUploadResult",
	"DeleteObjects":                      "DeleteResult",
	"GetBucketAccelerateConfiguration":   "AccelerateConfiguration",
	"GetBucketAcl":                       "AccessControlPolicy",
	"GetBucketCors":                      "CORSConfiguration",
	"GetBucketLifecycleConfiguration":    "LifecycleConfiguration",
	"GetBucketLocation":                  "LocationConstraint",
	"GetBucketLogging":                   "BucketLoggingStatus",
	"GetBucketNotificationConfiguration": "NotificationConfiguration",
	"GetBucketRequestPayment":            "RequestPaymentConfiguration",
	"GetBucketTagging":                   "Tagging",
	"GetBucketVersioning":                "VersioningConfiguration",
	"GetBucketWebsite":                   "WebsiteConfiguration",
	"GetObjectAcl":                       "AccessControlPolicy",
	"GetObjectAttributes":                "GetObjectAttributesResponse",
	"GetObjectTagging":                   "Tagging",
	"ListBuckets":                        "ListAllMyBucketsResult",
	"ListMultipartUploads":               "ListMultipartUploadsResult",
	"ListObjectVersions":                 "ListVersionsResult",
	"ListObjects":                        "ListBucketResult",
	"ListObjectsV2":                      "ListBucketResult",
	"ListParts":                          "ListPartsResult",
}

// EncodeError implements Codec.
func (restXMLCodec) EncodeError(w http.ResponseWriter, req *Request, e *Error) {
	e = orInternal(e)
	h := w.Header()
	setRESTXMLRequestID(h, req)
	setErrorHeaders(h, e)
	bp := getBuf()
	b := append(*bp, xmlDecl...)
	if isS3(req.Service) {
		b = append(b, "<Error>"...)
		b = appendXMLErrorBody(b, e, e.Code, false)
		b = append(b, "<RequestId>"...)
		b = appendXMLText(b, req.RequestID, false)
		b = append(b, "</RequestId><HostId>"...)
		b = append(b, hostID(req.RequestID)...)
		b = append(b, "</HostId></Error>"...)
	} else {
		b = append(b, "<ErrorResponse"...)
		if ns := xmlNamespace(req.Service); ns != "" {
			b = appendXMLNS(b, ns)
		}
		b = append(b, "><Error>"...)
		b = appendXMLErrorBody(b, e, e.Code, true)
		b = append(b, "</Error><RequestId>"...)
		b = appendXMLText(b, req.RequestID, false)
		b = append(b, "</RequestId></ErrorResponse>"...)
	}
	writeRESTBody(w, req, e.HTTPStatus(), "application/xml", b)
	*bp = b
	putBuf(bp)
}
