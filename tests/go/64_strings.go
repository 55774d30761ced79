package main

import (
	"fmt"
	"strconv"
	"strings"
)

// Strings are byte sequences: indexing and slicing work on bytes, range
// decodes runes, []byte(s) copies, string(b) reads b's elements.
func main() {
	s := "héllo, 世界"
	raw := `a\n"b"`
	b := []byte(s[:3])
	b[0] = 'H'
	fmt.Println(len(s), s[1], s[0:1], s[7:], string(b), string(rune(19990)), raw, len(raw))
	for i, r := range s {
		if r > 127 {
			fmt.Println(i, r, string(r))
		}
	}
	for i := range "ab" {
		fmt.Print(i)
	}
	fmt.Println()
	bad := string([]byte{0xff, 'a'})
	for i, r := range bad {
		fmt.Println(i, r)
	}
	fmt.Println("abc" < "abd", "z" < "é", s > "h", 'a'+1, '\n', '\x41', "\u00e9" == "é", "\101")
	n, err := strconv.Atoi("-42")
	fmt.Println(n, err, strconv.Itoa(n)+"!")
	_, err = strconv.Atoi("4x")
	fmt.Println(err)
	fmt.Println(strings.Contains(s, "llo"), strings.HasPrefix(s, "hé"), strings.HasSuffix(s, "界"),
		strings.Index(s, "l"), strings.Join([]string{"a", "b", "c"}, "-"))
	var by byte = s[0]
	var rr rune = 'é'
	buf := make([]byte, 3)
	k := copy(buf, "xyz!")
	fmt.Println(by, rr, k, string(buf))
	defer func() { fmt.Println(recover()) }()
	fmt.Println(s[20])
}
