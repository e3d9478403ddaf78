package s3

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"hash/crc64"
	"net/http"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
)

// S3 checks and keeps one additional checksum per object
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html):
// the one the upload carried in an x-amz-checksum-* header or trailer. Objects assembled by
// multipart uploads keep none.

var (
	crc32cTable    = crc32.MakeTable(crc32.Castagnoli)
	crc64NVMETable = crc64.MakeTable(0x9a6c9329ac4bc9b5) // CRC-64/NVME, reflected polynomial
)

// checksumAlgorithms are the algorithms S3 computes, in the order their headers are read.
var checksumAlgorithms = []string{"CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"}

// computeChecksum returns the base64 checksum of body with algorithm alg.
func computeChecksum(alg string, body []byte) string {
	var sum []byte
	switch alg {
	case "CRC32":
		sum = binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(body))
	case "CRC32C":
		sum = binary.BigEndian.AppendUint32(nil, crc32.Checksum(body, crc32cTable))
	case "CRC64NVME":
		sum = binary.BigEndian.AppendUint64(nil, crc64.Checksum(body, crc64NVMETable))
	case "SHA1":
		s := sha1.Sum(body)
		sum = s[:]
	case "SHA256":
		s := sha256.Sum256(body)
		sum = s[:]
	}
	return base64.StdEncoding.EncodeToString(sum)
}

// checksumHeaders are the x-amz-checksum-* values of a write, by algorithm.
type checksumHeaders struct{ crc32, crc32c, crc64nvme, sha1, sha256 *string }

func (h checksumHeaders) get(alg string) *string {
	switch alg {
	case "CRC32":
		return h.crc32
	case "CRC32C":
		return h.crc32c
	case "CRC64NVME":
		return h.crc64nvme
	case "SHA1":
		return h.sha1
	case "SHA256":
		return h.sha256
	}
	return nil
}

// verifyChecksum checks the checksum a write carries against body and returns the
// algorithm and value to keep ("" when the write carried none).
func verifyChecksum(h checksumHeaders, body []byte) (alg, value string, err error) {
	for _, a := range checksumAlgorithms {
		v := h.get(a)
		if v == nil {
			continue
		}
		got := computeChecksum(a, body)
		if *v != got {
			if raw, derr := base64.StdEncoding.DecodeString(*v); derr != nil || len(raw) != len(mustDecode(got)) {
				return "", "", &protocol.Error{Code: ErrCodeInvalidRequest, Status: http.StatusBadRequest,
					Message: "Value for x-amz-checksum-" + strings.ToLower(a) + " header is invalid."}
			}
			return "", "", &protocol.Error{Code: codeBadDigest, Status: http.StatusBadRequest,
				Message: "The " + a + " you specified did not match the calculated checksum."}
		}
		return a, got, nil
	}
	return "", "", nil
}

func mustDecode(s string) []byte {
	b, _ := base64.StdEncoding.DecodeString(s)
	return b
}

// checksumOutput is the checksum members of an answer.
type checksumOutput struct {
	crc32, crc32c, crc64nvme, sha1, sha256, typ *string
}

// checksumFields returns the answer's checksum members for a kept checksum.
func checksumFields(alg, value string) checksumOutput {
	if alg == "" {
		return checksumOutput{}
	}
	out := checksumOutput{typ: ptr("FULL_OBJECT")}
	v := ptr(value)
	switch alg {
	case "CRC32":
		out.crc32 = v
	case "CRC32C":
		out.crc32c = v
	case "CRC64NVME":
		out.crc64nvme = v
	case "SHA1":
		out.sha1 = v
	case "SHA256":
		out.sha256 = v
	}
	return out
}
