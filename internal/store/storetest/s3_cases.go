package storetest

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/store"
)

// s3Cases returns the conformance cases of S3 buckets and objects.
func s3Cases() []Case {
	return []Case{
		{"S3Buckets", testS3Buckets},
		{"S3Objects", testS3Objects},
		{"S3Uploads", testS3Uploads},
		{"S3BucketConfigs", testS3BucketConfigs},
		{"S3Versions", testS3Versions},
	}
}

func testS3Versions(t *testing.T, db *store.DB) {
	ctx := t.Context()
	_, err := db.S3BucketCreate(ctx, &store.S3Bucket{Name: "ver", Account: "111111111111", Region: "us-east-1", CreatedAt: 1})
	require.NoError(t, err)
	put := func(vid string, seq int64, body string) {
		require.NoError(t, db.S3ObjectPut(ctx, &store.S3Object{Bucket: "ver", Key: "k", Body: []byte(body), ETag: `"e"`,
			ContentType: "text/plain", ModifiedAt: seq, VersionID: vid, Seq: seq}))
	}
	versions := func() []string {
		list, err := db.S3ObjectVersionList(ctx, "ver", "", "")
		require.NoError(t, err)
		var out []string
		for _, o := range list {
			s := o.Key + "@" + o.VersionID
			if o.DeleteMarker {
				s += "(marker)"
			}
			if o.IsLatest {
				s += "*"
			}
			out = append(out, s)
		}
		return out
	}

	// A null version, then two versioned writes: the null version becomes noncurrent.
	put("", 1, "null")
	put("v1", 2, "one")
	put("v2", 3, "two")
	require.Equal(t, []string{"k@v2*", "k@v1", "k@null"}, versions())
	o, err := db.S3ObjectVersionGet(ctx, "ver", "k", "v1", true)
	require.NoError(t, err)
	require.Equal(t, "one", string(o.Body))
	require.False(t, o.IsLatest)

	// A delete marker on top hides the key; deleting it brings v2 back.
	require.NoError(t, db.S3ObjectDeleteMarker(ctx, &store.S3Object{Bucket: "ver", Key: "k", VersionID: "m1", Seq: 4, ModifiedAt: 4}))
	_, err = db.S3ObjectHead(ctx, "ver", "k")
	require.ErrorIs(t, err, store.ErrNotFound)
	m, err := db.S3ObjectLatestMarker(ctx, "ver", "k")
	require.NoError(t, err)
	require.Equal(t, "m1", m.VersionID)
	require.Equal(t, []string{"k@m1(marker)*", "k@v2", "k@v1", "k@null"}, versions())
	gone, err := db.S3ObjectVersionDelete(ctx, "ver", "k", "m1")
	require.NoError(t, err)
	require.True(t, gone.DeleteMarker)
	cur, err := db.S3ObjectHead(ctx, "ver", "k")
	require.NoError(t, err)
	require.Equal(t, "v2", cur.VersionID)

	// Deleting the current version makes the previous one current.
	_, err = db.S3ObjectVersionDelete(ctx, "ver", "k", "v2")
	require.NoError(t, err)
	require.Equal(t, []string{"k@v1*", "k@null"}, versions())
	_, err = db.S3ObjectVersionDelete(ctx, "ver", "k", "v2")
	require.ErrorIs(t, err, store.ErrNotFound)

	// A new null version replaces the old one.
	put("null", 5, "null again")
	require.Equal(t, []string{"k@null*", "k@v1"}, versions())

	// Versions keep the bucket alive.
	_, err = db.S3ObjectVersionDelete(ctx, "ver", "k", "null")
	require.NoError(t, err)
	require.Equal(t, []string{"k@v1*"}, versions())
	_, err = db.S3ObjectDelete(ctx, "ver", "k")
	require.NoError(t, err)
	require.NoError(t, db.S3ObjectDeleteMarker(ctx, &store.S3Object{Bucket: "ver", Key: "k", VersionID: "m2", Seq: 6, ModifiedAt: 6}))
	require.ErrorIs(t, db.S3BucketDelete(ctx, "ver"), store.ErrConflict)
	_, err = db.S3ObjectVersionDelete(ctx, "ver", "k", "m2")
	require.NoError(t, err)
	require.NoError(t, db.S3BucketDelete(ctx, "ver"))
}

func testS3BucketConfigs(t *testing.T, db *store.DB) {
	ctx := t.Context()
	_, err := db.S3BucketCreate(ctx, &store.S3Bucket{Name: "cfg", Account: "111111111111", Region: "us-east-1", CreatedAt: 1,
		Configs: map[string]string{"ownership": `{"o":1}`}})
	require.NoError(t, err)

	got, err := db.S3BucketConfigGet(ctx, "cfg", "ownership")
	require.NoError(t, err)
	require.Equal(t, `{"o":1}`, got)
	_, err = db.S3BucketConfigGet(ctx, "cfg", "policy")
	require.ErrorIs(t, err, store.ErrNotFound)

	require.NoError(t, db.S3BucketConfigPut(ctx, "cfg", "policy", `{"p":1}`))
	require.NoError(t, db.S3BucketConfigPut(ctx, "cfg", "policy", `{"p":2}`))
	got, err = db.S3BucketConfigGet(ctx, "cfg", "policy")
	require.NoError(t, err)
	require.Equal(t, `{"p":2}`, got)
	require.ErrorIs(t, db.S3BucketConfigPut(ctx, "missing", "policy", "{}"), store.ErrNotFound)

	require.NoError(t, db.S3BucketConfigDelete(ctx, "cfg", "policy"))
	require.NoError(t, db.S3BucketConfigDelete(ctx, "cfg", "policy"))
	_, err = db.S3BucketConfigGet(ctx, "cfg", "policy")
	require.ErrorIs(t, err, store.ErrNotFound)
	require.ErrorIs(t, db.S3BucketConfigDelete(ctx, "missing", "policy"), store.ErrNotFound)

	// A bucket's configurations go with it: a new bucket of that name starts with none.
	require.NoError(t, db.S3BucketDelete(ctx, "cfg"))
	_, err = db.S3BucketCreate(ctx, &store.S3Bucket{Name: "cfg", Account: "111111111111", Region: "us-east-1", CreatedAt: 2})
	require.NoError(t, err)
	_, err = db.S3BucketConfigGet(ctx, "cfg", "ownership")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testS3Buckets(t *testing.T, db *store.DB) {
	ctx := t.Context()
	_, err := db.S3BucketCreate(ctx, &store.S3Bucket{Name: "beta", Account: "111111111111", Region: "eu-west-1", CreatedAt: 1000})
	require.NoError(t, err)
	_, err = db.S3BucketCreate(ctx, &store.S3Bucket{Name: "alpha", Account: "111111111111", Region: "us-east-1", CreatedAt: 2000})
	require.NoError(t, err)
	_, err = db.S3BucketCreate(ctx, &store.S3Bucket{Name: "gamma", Account: "222222222222", Region: "us-east-1", CreatedAt: 3000})
	require.NoError(t, err)

	// Names are global: another account creating "beta" collides and learns the owner.
	existing, err := db.S3BucketCreate(ctx, &store.S3Bucket{Name: "beta", Account: "222222222222", Region: "us-east-1", CreatedAt: 4000})
	require.ErrorIs(t, err, store.ErrConflict)
	require.Equal(t, "111111111111", existing.Account)
	require.Equal(t, "eu-west-1", existing.Region)

	b, err := db.S3BucketGet(ctx, "beta")
	require.NoError(t, err)
	require.Equal(t, store.S3Bucket{Name: "beta", Account: "111111111111", Region: "eu-west-1", CreatedAt: 1000, Tags: "[]"}, *b)

	tags := `[{"Key":"team","Value":"core"}]`
	require.NoError(t, db.S3BucketSetTags(ctx, "beta", tags))
	b, err = db.S3BucketGet(ctx, "beta")
	require.NoError(t, err)
	require.Equal(t, tags, b.Tags)
	require.NoError(t, db.S3BucketSetTags(ctx, "beta", ""))
	b, err = db.S3BucketGet(ctx, "beta")
	require.NoError(t, err)
	require.Equal(t, "[]", b.Tags, "cleared")
	require.ErrorIs(t, db.S3BucketSetTags(ctx, "missing", tags), store.ErrNotFound)

	// The notification configuration is kept as given and cleared with "".
	require.NoError(t, db.S3BucketSetNotification(ctx, "beta", `{"EventBridgeConfiguration":{}}`))
	b, err = db.S3BucketGet(ctx, "beta")
	require.NoError(t, err)
	require.Equal(t, `{"EventBridgeConfiguration":{}}`, b.Notification)
	require.NoError(t, db.S3BucketSetNotification(ctx, "beta", ""))
	b, err = db.S3BucketGet(ctx, "beta")
	require.NoError(t, err)
	require.Empty(t, b.Notification)
	require.ErrorIs(t, db.S3BucketSetNotification(ctx, "missing", "{}"), store.ErrNotFound)

	// A write hook runs in the object write's transaction: its failure undoes the write.
	errHook := errors.New("hook failed")
	err = db.S3ObjectPut(ctx, &store.S3Object{Bucket: "beta", Key: "hooked", Body: []byte("x"), ETag: `"e"`, ModifiedAt: 1},
		func(*store.Tx) error { return errHook })
	require.ErrorIs(t, err, errHook)
	_, err = db.S3ObjectHead(ctx, "beta", "hooked")
	require.ErrorIs(t, err, store.ErrNotFound, "the failed hook rolled the put back")
	ran := false
	require.NoError(t, db.S3ObjectPut(ctx, &store.S3Object{Bucket: "beta", Key: "hooked", Body: []byte("x"), ETag: `"e"`, ModifiedAt: 1},
		func(*store.Tx) error { ran = true; return nil }))
	require.True(t, ran, "hook ran")
	_, err = db.S3ObjectDelete(ctx, "beta", "hooked", func(*store.Tx) error { return errHook })
	require.ErrorIs(t, err, errHook)
	_, err = db.S3ObjectHead(ctx, "beta", "hooked")
	require.NoError(t, err, "the failed hook rolled the delete back")
	_, err = db.S3ObjectDelete(ctx, "beta", "hooked")
	require.NoError(t, err)
	_, err = db.S3BucketGet(ctx, "missing")
	require.ErrorIs(t, err, store.ErrNotFound)

	list, err := db.S3BucketList(ctx, "111111111111")
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, "alpha", list[0].Name, "ordered by name")
	require.Equal(t, "beta", list[1].Name)

	// A bucket holding objects is not deleted.
	require.NoError(t, db.S3ObjectPut(ctx, &store.S3Object{Bucket: "beta", Key: "k", Body: []byte("x"), ETag: `"e"`, ContentType: "binary/octet-stream", ModifiedAt: 1}))
	require.ErrorIs(t, db.S3BucketDelete(ctx, "beta"), store.ErrConflict)
	_, err = db.S3BucketGet(ctx, "beta")
	require.NoError(t, err, "still there")
	_, err = db.S3ObjectDelete(ctx, "beta", "k")
	require.NoError(t, err)
	require.NoError(t, db.S3BucketDelete(ctx, "beta"))
	require.ErrorIs(t, db.S3BucketDelete(ctx, "beta"), store.ErrNotFound)
	_, err = db.S3BucketGet(ctx, "beta")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testS3Objects(t *testing.T, db *store.DB) {
	ctx := t.Context()
	require.ErrorIs(t, db.S3ObjectPut(ctx, &store.S3Object{Bucket: "nope", Key: "k", ETag: `"e"`, ModifiedAt: 1}), store.ErrNotFound,
		"no bucket")
	_, err := db.S3BucketCreate(ctx, &store.S3Bucket{Name: "objs", Account: "111111111111", Region: "us-east-1", CreatedAt: 1})
	require.NoError(t, err)

	bin := []byte{0, 1, 2, 0xff, 0xfe, 0}
	for _, k := range []string{"b/2", "a", "b/1", "c", "é", "B"} {
		require.NoError(t, db.S3ObjectPut(ctx, &store.S3Object{Bucket: "objs", Key: k, Body: bin, ETag: `"` + k + `"`,
			ContentType: "application/octet-stream", Headers: `{"Cache-Control":"no-cache"}`, Metadata: `{"m":"v"}`, ModifiedAt: 10}))
	}
	o, err := db.S3ObjectGet(ctx, "objs", "a")
	require.NoError(t, err)
	require.Equal(t, bin, o.Body, "binary body kept byte for byte")
	require.Equal(t, int64(len(bin)), o.Size)
	require.Equal(t, `{"m":"v"}`, o.Metadata)
	require.Equal(t, `{"Cache-Control":"no-cache"}`, o.Headers)

	// Replacing an object replaces everything, the body included; an empty body stays empty.
	require.NoError(t, db.S3ObjectPut(ctx, &store.S3Object{Bucket: "objs", Key: "a", ETag: `"new"`, ContentType: "text/plain", ModifiedAt: 20}))
	o, err = db.S3ObjectGet(ctx, "objs", "a")
	require.NoError(t, err)
	require.Empty(t, o.Body)
	require.NotNil(t, o.Body)
	require.Equal(t, int64(0), o.Size)
	require.Equal(t, `"new"`, o.ETag)
	require.Equal(t, "{}", o.Metadata)
	require.Equal(t, "[]", o.Tags)
	require.Equal(t, int64(20), o.ModifiedAt)

	// Tagging an object changes its tags alone; a PUT replaces them with its own.
	require.NoError(t, db.S3ObjectSetTags(ctx, "objs", "b/1", `[{"Key":"k","Value":"v"}]`))
	require.ErrorIs(t, db.S3ObjectSetTags(ctx, "objs", "nope", "[]"), store.ErrNotFound)

	h, err := db.S3ObjectHead(ctx, "objs", "b/1")
	require.NoError(t, err)
	require.Nil(t, h.Body, "head reads no body")
	require.Equal(t, int64(len(bin)), h.Size)
	require.Equal(t, `[{"Key":"k","Value":"v"}]`, h.Tags)
	require.Equal(t, `"b/1"`, h.ETag, "tagging leaves the object as it was")

	keys := func(p *store.S3ObjectListParams) []string {
		list, err := db.S3ObjectList(ctx, p)
		require.NoError(t, err)
		var ks []string
		for _, o := range list {
			require.Nil(t, o.Body)
			ks = append(ks, o.Key)
		}
		return ks
	}
	require.Equal(t, []string{"B", "a", "b/1", "b/2", "c", "é"}, keys(&store.S3ObjectListParams{Bucket: "objs", Limit: 100}),
		"ordered by the bytes of the key")
	require.Equal(t, []string{"b/1", "b/2"}, keys(&store.S3ObjectListParams{Bucket: "objs", After: "a", Limit: 2}))
	require.Equal(t, []string{"b/2", "c"}, keys(&store.S3ObjectListParams{Bucket: "objs", After: "b/1", From: "b/", Limit: 2}))
	require.Equal(t, []string{"b/1", "b/2", "c"}, keys(&store.S3ObjectListParams{Bucket: "objs", From: "b/", Limit: 3}))

	existed, err := db.S3ObjectDelete(ctx, "objs", "c")
	require.NoError(t, err)
	require.True(t, existed)
	existed, err = db.S3ObjectDelete(ctx, "objs", "c")
	require.NoError(t, err)
	require.False(t, existed)
	_, err = db.S3ObjectGet(ctx, "objs", "c")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testS3Uploads(t *testing.T, db *store.DB) {
	ctx := t.Context()
	require.ErrorIs(t, db.S3UploadCreate(ctx, &store.S3Upload{UploadID: "u0", Bucket: "nope", Key: "k", CreatedAt: 1}), store.ErrNotFound)
	_, err := db.S3BucketCreate(ctx, &store.S3Bucket{Name: "mpu", Account: "111111111111", Region: "us-east-1", CreatedAt: 1})
	require.NoError(t, err)
	require.NoError(t, db.S3UploadCreate(ctx, &store.S3Upload{UploadID: "u1", Bucket: "mpu", Key: "big", Account: "111111111111",
		ContentType: "text/plain", Metadata: `{"a":"b"}`, CreatedAt: 5}))
	u, err := db.S3UploadGet(ctx, "u1")
	require.NoError(t, err)
	require.Equal(t, store.S3Upload{UploadID: "u1", Bucket: "mpu", Key: "big", Account: "111111111111", ContentType: "text/plain",
		Headers: "{}", Metadata: `{"a":"b"}`, Tags: "[]", CreatedAt: 5}, *u)

	require.ErrorIs(t, db.S3PartPut(ctx, &store.S3Part{UploadID: "missing", PartNumber: 1, ETag: `"x"`}), store.ErrNotFound)
	for _, p := range []store.S3Part{{PartNumber: 2, Body: []byte("world")}, {PartNumber: 1, Body: []byte("hello ")}, {PartNumber: 3, Body: []byte("!")}} {
		p.UploadID, p.ETag, p.ModifiedAt = "u1", `"e"`, 7
		require.NoError(t, db.S3PartPut(ctx, &p))
	}
	// Uploading a part number again replaces the part.
	require.NoError(t, db.S3PartPut(ctx, &store.S3Part{UploadID: "u1", PartNumber: 1, Body: []byte("Hello "), ETag: `"f"`, ModifiedAt: 8}))
	parts, err := db.S3PartList(ctx, "u1", 0, 10)
	require.NoError(t, err)
	require.Len(t, parts, 3)
	require.Equal(t, int32(1), parts[0].PartNumber)
	require.Equal(t, `"f"`, parts[0].ETag)
	require.Equal(t, int64(6), parts[0].Size)
	require.Nil(t, parts[0].Body)
	parts, err = db.S3PartList(ctx, "u1", 1, 1)
	require.NoError(t, err)
	require.Len(t, parts, 1)
	require.Equal(t, int32(2), parts[0].PartNumber)

	// Completing with parts 1 and 2 only: the object is their concatenation and the
	// upload and every part are gone.
	o := &store.S3Object{Bucket: "mpu", Key: "big", ETag: `"m-2"`, ContentType: "text/plain", Tags: `[{"Key":"t","Value":""}]`, ModifiedAt: 9}
	require.NoError(t, db.S3UploadComplete(ctx, "u1", []int32{1, 2}, o))
	require.Equal(t, int64(11), o.Size)
	got, err := db.S3ObjectGet(ctx, "mpu", "big")
	require.NoError(t, err)
	require.Equal(t, "Hello world", string(got.Body))
	require.Equal(t, `[{"Key":"t","Value":""}]`, got.Tags)
	_, err = db.S3UploadGet(ctx, "u1")
	require.ErrorIs(t, err, store.ErrNotFound)
	parts, err = db.S3PartList(ctx, "u1", 0, 10)
	require.NoError(t, err)
	require.Empty(t, parts)
	require.ErrorIs(t, db.S3UploadComplete(ctx, "u1", []int32{1}, o), store.ErrNotFound)

	require.NoError(t, db.S3UploadCreate(ctx, &store.S3Upload{UploadID: "u2", Bucket: "mpu", Key: "k", CreatedAt: 1}))
	require.NoError(t, db.S3UploadCreate(ctx, &store.S3Upload{UploadID: "u0", Bucket: "mpu", Key: "k", CreatedAt: 2}))
	require.NoError(t, db.S3UploadCreate(ctx, &store.S3Upload{UploadID: "u9", Bucket: "mpu", Key: "a", CreatedAt: 3}))
	ups, err := db.S3UploadList(ctx, "mpu")
	require.NoError(t, err)
	var ids []string
	for _, u := range ups {
		ids = append(ids, u.UploadID)
	}
	require.Equal(t, []string{"u9", "u2", "u0"}, ids, "by key, then by initiation")
	_, err = db.S3UploadDelete(ctx, "u0")
	require.NoError(t, err)
	_, err = db.S3UploadDelete(ctx, "u9")
	require.NoError(t, err)
	require.NoError(t, db.S3PartPut(ctx, &store.S3Part{UploadID: "u2", PartNumber: 1, Body: []byte("x"), ETag: `"x"`}))
	existed, err := db.S3UploadDelete(ctx, "u2")
	require.NoError(t, err)
	require.True(t, existed)
	existed, err = db.S3UploadDelete(ctx, "u2")
	require.NoError(t, err)
	require.False(t, existed)

	// A bucket whose only content is an upload in progress is deleted with it.
	_, err = db.S3ObjectDelete(ctx, "mpu", "big")
	require.NoError(t, err)
	require.NoError(t, db.S3UploadCreate(ctx, &store.S3Upload{UploadID: "u3", Bucket: "mpu", Key: "k", CreatedAt: 1}))
	require.NoError(t, db.S3BucketDelete(ctx, "mpu"))
	_, err = db.S3UploadGet(ctx, "u3")
	require.ErrorIs(t, err, store.ErrNotFound)
}
