//go:build !unix

package lambdart

const syscallNoFollow = 0
