package store

import (
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

func TestLoadMigrations(t *testing.T) {
	t.Parallel()
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name    string
		files   fstest.MapFS
		dialect Dialect
		want    []migration
		wantErr string
	}{
		{
			name: "ordered per service, plain files",
			files: fstest.MapFS{
				"b/0002_two.sql":  file("B2"),
				"b/0001_one.sql":  file("B1"),
				"a/0010_ten.sql":  file("A10"),
				"a/0009_nine.sql": file("A9"),
			},
			dialect: SQLite,
			want: []migration{
				{"a", 9, "nine", "A9"}, {"a", 10, "ten", "A10"},
				{"b", 1, "one", "B1"}, {"b", 2, "two", "B2"},
			},
		},
		{
			name: "variant replaces plain file on its dialect",
			files: fstest.MapFS{
				"s/0001_x.sql":          file("plain"),
				"s/0001_x.postgres.sql": file("pg"),
			},
			dialect: Postgres,
			want:    []migration{{"s", 1, "x", "pg"}},
		},
		{
			name: "plain file on the other dialect",
			files: fstest.MapFS{
				"s/0001_x.sql":          file("plain"),
				"s/0001_x.postgres.sql": file("pg"),
			},
			dialect: SQLite,
			want:    []migration{{"s", 1, "x", "plain"}},
		},
		{
			name: "variants only",
			files: fstest.MapFS{
				"s/0001_x.sqlite.sql":   file("lite"),
				"s/0001_x.postgres.sql": file("pg"),
			},
			dialect: SQLite,
			want:    []migration{{"s", 1, "x", "lite"}},
		},
		{
			name:    "no file for this dialect",
			files:   fstest.MapFS{"s/0001_x.postgres.sql": file("pg")},
			dialect: SQLite,
			wantErr: "has no file for sqlite",
		},
		{
			name:    "two names for one version",
			files:   fstest.MapFS{"s/0001_x.sql": file("1"), "s/0001_y.sqlite.sql": file("2")},
			dialect: SQLite,
			wantErr: "has two names",
		},
		{
			name:    "bad file name",
			files:   fstest.MapFS{"s/create.sql": file("1")},
			dialect: SQLite,
			wantErr: "is not NNNN_name",
		},
		{
			name:    "unknown dialect suffix",
			files:   fstest.MapFS{"s/0001_x.mysql.sql": file("1")},
			dialect: SQLite,
			wantErr: "is not NNNN_name",
		},
		{
			name:    "version zero",
			files:   fstest.MapFS{"s/0000_x.sql": file("1")},
			dialect: SQLite,
			wantErr: "positive",
		},
		{
			name:    "bad service name",
			files:   fstest.MapFS{"Bad-Name/0001_x.sql": file("1")},
			dialect: SQLite,
			wantErr: "service directory",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := loadMigrations(tt.files, tt.dialect)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

// TestShippedMigrations checks that every migration in the binary resolves on both dialects.
func TestShippedMigrations(t *testing.T) {
	t.Parallel()
	sub, err := fs.Sub(migrationFiles, "migrations")
	require.NoError(t, err)
	for _, d := range []Dialect{SQLite, Postgres} {
		got, err := loadMigrations(sub, d)
		require.NoError(t, err, d.String())
		require.NotEmpty(t, got)
	}
}
