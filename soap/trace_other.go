//go:build !unix

package soap

// oNoFollow: Windows has no O_NOFOLLOW; writeTrace checks the file it opened.
const oNoFollow = 0
