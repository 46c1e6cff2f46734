package diag

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"
)

// Writer renders diagnostics in one output format.
type Writer interface {
	// Write renders ds. files lists every file that was checked (SARIF
	// lists them; the others ignore clean files).
	Write(w io.Writer, ds List, files []string) error
}

// TextWriter renders "file:line:col: message [code]" lines. With Source
// set (on a terminal), each is followed by the source line and a caret.
type TextWriter struct {
	// Source returns a file's content, or nil; nil Source prints no snippets.
	Source func(file string) []byte
	// Color adds ANSI colours (only on a terminal, never with NO_COLOR).
	Color bool
}

var _ Writer = (*TextWriter)(nil)

// Write implements Writer.
func (t *TextWriter) Write(w io.Writer, ds List, _ []string) error {
	for _, d := range ds {
		line := d.String()
		if t.Color {
			line = colorize(d)
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
		if t.Source != nil && d.Line > 0 {
			if src := t.Source(d.File); src != nil {
				if s, ok := sourceLine(src, d.Line); ok {
					caret := strings.Repeat(" ", caretIndent(s, d.Column)) + "^"
					if t.Color {
						caret = "\x1b[32m" + caret + "\x1b[0m"
					}
					fmt.Fprintf(w, "  %s\n  %s\n", strings.ReplaceAll(s, "\t", " "), caret)
				}
			}
		}
		if d.Hint != "" {
			fmt.Fprintf(w, "  hint: %s\n", d.Hint)
		}
	}
	return nil
}

func colorize(d Diagnostic) string {
	loc := d.File
	if d.Line > 0 {
		loc = fmt.Sprintf("%s:%d:%d", d.File, d.Line, d.Column)
	}
	sev, msg := "\x1b[31m", d.Message
	if d.Severity != Error {
		sev, msg = "\x1b[33m", d.Severity.String()+": "+msg
	}
	return fmt.Sprintf("\x1b[1m%s:\x1b[0m %s%s\x1b[0m \x1b[90m[%s]\x1b[0m", loc, sev, msg, d.Code)
}

// sourceLine returns line n (1-based) of src without its line ending.
func sourceLine(src []byte, n int) (string, bool) {
	line := 1
	start := 0
	for i, b := range src {
		if b == '\n' {
			if line == n {
				return strings.TrimRight(string(src[start:i]), "\r"), true
			}
			line++
			start = i + 1
		}
	}
	if line == n && start <= len(src) {
		return strings.TrimRight(string(src[start:]), "\r"), true
	}
	return "", false
}

// caretIndent is the display width of the first col-1 characters.
func caretIndent(line string, col int) int {
	n := 0
	for i := 0; i < len(line) && n < col-1; {
		_, size := utf8.DecodeRuneInString(line[i:])
		i += size
		n++
	}
	return n
}

// JSONVersion is the version of the JSON output document.
const JSONVersion = 1

// JSONWriter renders {"version": 1, "diagnostics": [...]}.
type JSONWriter struct{}

var _ Writer = JSONWriter{}

// Write implements Writer.
func (JSONWriter) Write(w io.Writer, ds List, files []string) error {
	if ds == nil {
		ds = List{}
	}
	doc := struct {
		Version     int      `json:"version"`
		Files       []string `json:"files"`
		Diagnostics List     `json:"diagnostics"`
	}{JSONVersion, files, ds}
	if doc.Files == nil {
		doc.Files = []string{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// GitHubWriter renders GitHub Actions workflow commands, which show as
// annotations on the pull request's files.
type GitHubWriter struct{}

var _ Writer = GitHubWriter{}

// Write implements Writer.
func (GitHubWriter) Write(w io.Writer, ds List, _ []string) error {
	for _, d := range ds {
		level := "error"
		if d.Severity == Warning {
			level = "warning"
		} else if d.Severity == Info {
			level = "notice"
		}
		props := []string{"file=" + ghProp(d.File)}
		if d.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", d.Line), fmt.Sprintf("col=%d", d.Column))
			if d.EndLine > 0 {
				props = append(props, fmt.Sprintf("endLine=%d", d.EndLine), fmt.Sprintf("endColumn=%d", d.EndColumn))
			}
		}
		props = append(props, "title="+ghProp("lwf "+string(d.Code)))
		msg := d.Message
		if d.Hint != "" {
			msg += "\n" + "hint: " + d.Hint
		}
		if _, err := fmt.Fprintf(w, "::%s %s::%s\n", level, strings.Join(props, ","), ghData(msg)); err != nil {
			return err
		}
	}
	return nil
}

func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProp(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// SARIFWriter renders a SARIF 2.1.0 log for code-scanning tools. Its rule
// list is the registry (Codes): every code lwf can report, with its
// summary and help.
type SARIFWriter struct {
	// Version is lwf's version, recorded as the tool's.
	Version string
}

var _ Writer = SARIFWriter{}

// Write implements Writer.
func (s SARIFWriter) Write(w io.Writer, ds List, files []string) error {
	infos := map[Code]CodeInfo{}
	for _, ci := range Codes() {
		infos[ci.Code] = ci
	}
	for _, d := range ds {
		if _, ok := infos[d.Code]; !ok {
			infos[d.Code] = CodeInfo{Code: d.Code, Summary: string(d.Code)}
		}
	}
	var ruleIDs []string
	for c := range infos {
		ruleIDs = append(ruleIDs, string(c))
	}
	sort.Strings(ruleIDs)
	index := map[Code]int{}
	rules := []map[string]any{}
	for i, id := range ruleIDs {
		ci := infos[Code(id)]
		index[ci.Code] = i
		rule := map[string]any{"id": id, "shortDescription": map[string]any{"text": ci.Summary}}
		if ci.Help != "" {
			rule["help"] = map[string]any{"text": ci.Help}
		}
		rules = append(rules, rule)
	}
	results := []map[string]any{}
	for _, d := range ds {
		msg := d.Message
		if d.Hint != "" {
			msg += " (hint: " + d.Hint + ")"
		}
		loc := map[string]any{"artifactLocation": map[string]any{"uri": sarifURI(d.File)}}
		if d.Line > 0 {
			region := map[string]any{"startLine": d.Line, "startColumn": d.Column}
			if d.EndLine > 0 {
				region["endLine"], region["endColumn"] = d.EndLine, d.EndColumn
			}
			loc["region"] = region
		}
		level := "error"
		if d.Severity == Warning {
			level = "warning"
		} else if d.Severity == Info {
			level = "note"
		}
		results = append(results, map[string]any{
			"ruleId": d.Code, "ruleIndex": index[d.Code], "level": level,
			"message":   map[string]any{"text": msg},
			"locations": []any{map[string]any{"physicalLocation": loc}},
		})
	}
	artifacts := []map[string]any{}
	for _, f := range files {
		artifacts = append(artifacts, map[string]any{"location": map[string]any{"uri": sarifURI(f)}})
	}
	log := map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name": "lwf", "version": s.Version, "informationUri": "https://github.com/lwf-dev/lwf", "rules": rules,
			}},
			"artifacts":          artifacts,
			"results":            results,
			"columnKind":         "unicodeCodePoints",
			"originalUriBaseIds": map[string]any{},
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

func sarifURI(p string) string {
	return strings.ReplaceAll(p, "\\", "/")
}
