package lint

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// maxFuncLines is the longest a function outside tests may be, from its
// func keyword to its closing brace.
const maxFuncLines = 80

// TestNoLongFunctions walks every non-test .go file of the module and lists
// the functions (and function literals) over maxFuncLines lines: split them
// into named steps.
func TestNoLongFunctions(t *testing.T) {
	root := moduleRoot(t)
	var long []string
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && skipDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		if ast.IsGenerated(f) {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		long = append(long, longFuncs(fset, f, filepath.ToSlash(rel))...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(long) > 0 {
		t.Errorf("functions over %d lines (split them into named steps):\n%s", maxFuncLines, strings.Join(long, "\n"))
	}
}

// skipDir: hidden folders, test data and vendored code are not ours to hold.
func skipDir(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor"
}

func longFuncs(fset *token.FileSet, f *ast.File, name string) []string {
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		var body *ast.BlockStmt
		what := "func literal"
		switch x := n.(type) {
		case *ast.FuncDecl:
			body, what = x.Body, x.Name.Name
		case *ast.FuncLit:
			body = x.Body
		}
		if body == nil {
			return true
		}
		start := fset.Position(n.Pos())
		if lines := fset.Position(body.Rbrace).Line - start.Line + 1; lines > maxFuncLines {
			out = append(out, fmt.Sprintf("%s:%d: %s is %d lines", name, start.Line, what, lines))
		}
		return true
	})
	return out
}

// moduleRoot is the folder of go.mod, above this package's.
func moduleRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}

func TestLongFuncsCountsFromFuncToBrace(t *testing.T) {
	src := func(lines int) string { // a function of exactly lines lines
		return "package p\nfunc f() {\n" + strings.Repeat("\t_ = 0\n", lines-2) + "}\n"
	}
	for lines, want := range map[int]int{maxFuncLines: 0, maxFuncLines + 1: 1} {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "p.go", src(lines), 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := longFuncs(fset, f, "p.go"); len(got) != want {
			t.Errorf("a %d-line function: %v", lines, got)
		}
	}
}
