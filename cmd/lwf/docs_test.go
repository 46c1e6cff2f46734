package main

// The docs test: every shell transcript of README.md and docs/*.md — a
// `$ command` line in a fenced block, followed by the output it shows —
// is run, in document order, and its output compared with the one shown,
// so the docs cannot drift from what lwf does.
//
// How a document is run:
//
//   - Each document is a session: a fresh working directory holding a
//     copy of examples/, a sandbox (lwf sandbox serve on a free loopback
//     port) and the environment its commands see: LINKED_API_ENDPOINT
//     pointing at that sandbox and its tokens in LINKED_API_TOKEN and
//     IDENTIFICATION_TOKEN, as the docs say they were run.
//   - Commands run in-process: lwf through mainWithEnv (lwf run and lwf
//     wait poll every 20-200ms, as --poll-start and --poll-max let tests
//     ask, so that the docs' runs take little time); a few others are
//     emulated (cat, head, echo, sleep, curl, python3 -m json.tool, mkdir,
//     ln -s, mkfifo, cp), with ;, &&, | and > between them and NAME=value
//     before a command for its environment. Anything else fails the test,
//     naming the marker that skips the block.
//   - `$ cat FILE` of a file that is not there yet writes the file with
//     the output shown: a document shows its inputs by printing them.
//
// Markers, HTML comments that Markdown does not show:
//
//	<!-- doctest: skip REASON -->          the next block is not run (it needs the real
//	                                       API, an interactive shell, Node, …)
//	<!-- doctest: sandbox FLAGS -->        the session's sandbox takes these lwf sandbox
//	                                       serve flags (one such marker per document)
//	<!-- doctest: file NAME                writes NAME with the lines up to -->
//	…
//	-->
//	<!-- doctest: file NAME -->            writes NAME with the next block (a file
//	                                       the document shows, such as its YAML)
//
// The files of a marker are written before the next block of commands runs.
//
// Comparing: the lines must be equal once spaces are collapsed and what
// varies from run to run is set aside: times and dates, sub-second
// durations, ages ("just now"), and ids — run ids, workflow ids, account
// hashes, loopback ports — which are bound on first sight (the id a
// document shows stands for the one lwf printed, in later commands too,
// and one id always for the same one). Progress lines of a workflow still
// pending or running are dropped on both sides: how many there are
// depends on timing. A line "…" stands for any number of lines, and "…"
// in a line for any text.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/sandbox"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the outputs the docs show with what lwf prints (elided outputs that still match are kept)")

func TestDocs(t *testing.T) {
	docs, _ := filepath.Glob("../../docs/*.md")
	docs = append([]string{"../../README.md"}, docs...)
	ran := 0
	for _, path := range docs {
		path, err := filepath.Abs(path) // the session moves to a directory of its own
		if err != nil {
			t.Fatal(err)
		}
		doc := parseDoc(t, path)
		doc.root, _ = filepath.Abs("../..")
		if len(doc.blocks) == 0 {
			continue
		}
		ran++
		t.Run(filepath.Base(path), func(t *testing.T) {
			s := runDoc(t, doc)
			if *updateDocs && len(s.updates) > 0 {
				s.rewrite()
			}
		})
	}
	if ran < 4 {
		t.Errorf("only %d documents hold transcripts", ran)
	}
}

// docCmd is one `$ command` of a block and the output shown after it.
type docCmd struct {
	line   int // in the document
	text   string
	want   []string
	indent int // of the block
	end    int // the line after the command and its continuation lines
}

// docBlock is one fenced block holding commands.
type docBlock struct {
	line  int
	skip  string // why the block is not run; "" to run it
	files map[string]string
	cmds  []docCmd
}

type docFile struct {
	path    string   // absolute
	root    string   // the repository's, absolute
	sandbox []string // flags of the session's sandbox
	blocks  []docBlock
}

var (
	markerSkip    = regexp.MustCompile(`^<!-- doctest: skip (.+?) -->$`)
	markerSandbox = regexp.MustCompile(`^<!-- doctest: sandbox(.*?) -->$`)
	markerFile    = regexp.MustCompile(`^<!-- doctest: file (\S+)$`)
	markerShown   = regexp.MustCompile(`^<!-- doctest: file (\S+) -->$`)
	fence         = regexp.MustCompile("^( *)```(.*)$")
)

// parseDoc reads a document's transcripts and markers.
func parseDoc(t *testing.T, path string) *docFile {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	doc := &docFile{path: path}
	skip, shown := "", ""
	files := map[string]string{}
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if m := markerShown.FindStringSubmatch(l); m != nil {
			shown = m[1]
			continue
		}
		if m := markerSkip.FindStringSubmatch(l); m != nil {
			skip = m[1]
			continue
		}
		if m := markerSandbox.FindStringSubmatch(l); m != nil {
			doc.sandbox = strings.Fields(m[1])
			continue
		}
		if m := markerFile.FindStringSubmatch(l); m != nil {
			var body []string
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "-->"; i++ {
				body = append(body, lines[i])
			}
			files[m[1]] = strings.Join(body, "\n") + "\n"
			continue
		}
		m := fence.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		indent, start := len(m[1]), i
		var body []string
		for i++; i < len(lines); i++ {
			if strings.TrimSpace(lines[i]) == "```" {
				break
			}
			body = append(body, strings.TrimPrefix(lines[i], strings.Repeat(" ", indent)))
		}
		if shown != "" {
			files[shown] = strings.Join(body, "\n") + "\n"
			shown = ""
			continue
		}
		b := docBlock{line: start + 1, skip: skip, files: files, cmds: parseCmds(body, start+2, indent)}
		if len(b.cmds) > 0 {
			doc.blocks = append(doc.blocks, b)
			skip, files = "", map[string]string{}
		} else if b.skip != "" {
			t.Errorf("%s:%d: a skip marker before a block without commands", path, start+1)
			skip = ""
		}
	}
	if shown != "" || len(files) > 0 {
		t.Errorf("%s: a file marker with no block of commands after it", path)
	}
	return doc
}

// parseCmds splits a block into commands and the output shown after each.
func parseCmds(body []string, first, indent int) []docCmd {
	var cmds []docCmd
	for i := 0; i < len(body); i++ {
		text, ok := strings.CutPrefix(body[i], "$ ")
		if !ok {
			if len(cmds) > 0 {
				cmds[len(cmds)-1].want = append(cmds[len(cmds)-1].want, body[i])
			}
			continue
		}
		c := docCmd{line: first + i, indent: indent}
		for strings.HasSuffix(text, "\\") && i+1 < len(body) {
			i++
			text = strings.TrimSuffix(text, "\\") + " " + strings.TrimSpace(body[i])
		}
		c.text, c.end = text, first+i+1
		cmds = append(cmds, c)
	}
	for i := range cmds {
		for len(cmds[i].want) > 0 && strings.TrimSpace(cmds[i].want[len(cmds[i].want)-1]) == "" {
			cmds[i].want = cmds[i].want[:len(cmds[i].want)-1]
		}
	}
	return cmds
}

// session is one document's working directory, sandbox and bindings.
type session struct {
	t      *testing.T
	doc    *docFile
	dir    string
	env    map[string]string
	binds  *bindings
	last   int // the exit code of the last command, for $?
	serves []*served
	// updates are the outputs to write into the document (-update-docs).
	updates []docUpdate
}

// docUpdate replaces the output a command shows.
type docUpdate struct {
	cmd docCmd
	got []string
}

// served is an lwf sandbox serve a document started.
type served struct {
	cancel context.CancelFunc
	done   chan struct{}
	out    *lockedBuffer
	rest   []string // what the document shows it logging later
	cmd    docCmd
}

func runDoc(t *testing.T, doc *docFile) *session {
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "examples"), os.DirFS(filepath.Join(doc.root, "examples"))); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	s := &session{t: t, doc: doc, dir: dir, binds: newBindings()}
	defer s.stopServes()
	url := s.startSandbox(append([]string{"sandbox", "serve", "--addr", "127.0.0.1:0", "--quiet"}, doc.sandbox...))
	s.env = map[string]string{
		"LINKED_API_ENDPOINT":  url,
		"LINKED_API_TOKEN":     sandbox.DefaultLinkedAPIToken,
		"IDENTIFICATION_TOKEN": sandbox.DefaultIdentificationToken,
		"LWF_CONFIG":           filepath.Join(dir, ".no-config.yaml"),
	}
	for _, b := range doc.blocks {
		for name, content := range b.files {
			if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
				t.Fatal(err)
			}
			write(t, name, content)
		}
		if b.skip != "" {
			continue
		}
		for _, c := range b.cmds {
			s.runCmd(c)
		}
		s.checkServes()
	}
	return s
}

// rewrite writes the outputs lwf printed into the document, in place of
// those that did not match.
func (s *session) rewrite() {
	src, err := os.ReadFile(s.doc.path)
	if err != nil {
		s.t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	sort.Slice(s.updates, func(i, j int) bool { return s.updates[i].cmd.line > s.updates[j].cmd.line })
	for _, u := range s.updates {
		from, to := u.cmd.end-1, u.cmd.end-1+len(u.cmd.want) // 0-based lines of the output shown
		pad := strings.Repeat(" ", u.cmd.indent)
		var repl []string
		for _, l := range u.got {
			repl = append(repl, strings.TrimRight(pad+s.binds.unapply(l), " "))
		}
		lines = append(lines[:from], append(repl, lines[to:]...)...)
	}
	if err := os.WriteFile(s.doc.path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// where names a command's place in its document.
func (s *session) where(c docCmd) string {
	return fmt.Sprintf("%s:%d: $ %s", filepath.Base(s.doc.path), c.line, c.text)
}

func (s *session) runCmd(c docCmd) {
	text := s.binds.apply(c.text)
	words, err := shellWords(text)
	if err != nil {
		s.t.Errorf("%s: %v", s.where(c), err)
		return
	}
	if len(words) >= 3 && words[0].s == "lwf" && words[1].s == "sandbox" && words[2].s == "serve" {
		s.serve(c, words)
		return
	}
	// cat of a file the document shows but has not written: write it.
	if len(words) == 2 && words[0].s == "cat" {
		if _, err := os.Stat(words[1].s); err != nil {
			write(s.t, words[1].s, strings.Join(c.want, "\n")+"\n")
		}
	}
	out := &lockedBuffer{}
	s.last = s.exec(c, words, out)
	s.compare(c, c.want, out.String())
}

// compare matches the output shown with the output got, and binds the
// ids of matched lines.
func (s *session) compare(c docCmd, want []string, got string) {
	gotLines := strings.Split(strings.TrimRight(got, "\n"), "\n")
	if got == "" {
		gotLines = nil
	}
	pairs, ok := matchOutput(want, gotLines)
	if !ok && *updateDocs && len(want) == len(c.want) {
		s.updates = append(s.updates, docUpdate{cmd: c, got: gotLines})
	}
	if !ok {
		s.t.Errorf("%s\n--- shown in the document\n%s\n--- printed\n%s", s.where(c), strings.Join(want, "\n"), strings.TrimRight(got, "\n"))
		return
	}
	for _, p := range pairs {
		if err := s.binds.bind(p[0], p[1]); err != nil {
			s.t.Errorf("%s: %v", s.where(c), err)
		}
	}
}

// token is a word of a command line; op marks ;, &&, |, > and 2>&1.
type token struct {
	s      string
	op     bool
	quoted bool
}

// exitMark stands for $? until the command runs.
const exitMark = "\x00?\x00"

// shellWords splits a command line as a POSIX shell would, for what the
// docs use: quotes, backslashes, $? and the operators.
func shellWords(line string) ([]token, error) {
	var (
		out  []token
		cur  strings.Builder
		in   bool // a word is being read
		q    bool // part of it was quoted
		quot byte
	)
	flush := func() {
		if in {
			out = append(out, token{s: cur.String(), quoted: q})
		}
		cur.Reset()
		in, q = false, false
	}
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case quot == '\'':
			if ch == '\'' {
				quot = 0
			} else {
				cur.WriteByte(ch)
			}
		case quot == '"':
			switch {
			case ch == '"':
				quot = 0
			case ch == '\\' && i+1 < len(line) && strings.ContainsRune(`"\$`, rune(line[i+1])):
				i++
				cur.WriteByte(line[i])
			case ch == '$' && strings.HasPrefix(line[i:], "$?"):
				cur.WriteString(exitMark)
				i++
			default:
				cur.WriteByte(ch)
			}
		case ch == '\'' || ch == '"':
			quot, in, q = ch, true, true
		case ch == '\\' && i+1 < len(line):
			i++
			cur.WriteByte(line[i])
			in = true
		case ch == ' ' || ch == '\t':
			flush()
		case strings.HasPrefix(line[i:], "2>&1"):
			flush()
			out = append(out, token{s: "2>&1", op: true})
			i += 3
		case strings.HasPrefix(line[i:], "&&"):
			flush()
			out = append(out, token{s: "&&", op: true})
			i++
		case ch == ';' || ch == '|' || ch == '>':
			flush()
			out = append(out, token{s: string(ch), op: true})
		case ch == '#' && !in:
			i = len(line) // a comment
		case ch == '$' && strings.HasPrefix(line[i:], "$?"):
			cur.WriteString(exitMark)
			in = true
			i++
		case ch == '(' || ch == ')' || ch == '<' || ch == '`' || ch == '&':
			return nil, fmt.Errorf("the doc tests do not run %q: mark the block with <!-- doctest: skip REASON -->", string(ch))
		default:
			cur.WriteByte(ch)
			in = true
		}
	}
	if quot != 0 {
		return nil, fmt.Errorf("unterminated quote")
	}
	flush()
	return out, nil
}

// exec runs a command line's lists and pipelines, writing what a
// terminal would show to term, and returns the exit code.
func (s *session) exec(c docCmd, words []token, term *lockedBuffer) int {
	code := 0
	runNext := true
	var list []token
	flushList := func(op string) {
		if runNext {
			code = s.pipeline(c, list, term)
			s.last = code
		}
		switch op {
		case "&&":
			runNext = runNext && code == 0
		case ";":
			runNext = true
		}
		list = nil
	}
	for _, w := range words {
		if w.op && (w.s == ";" || w.s == "&&") {
			flushList(w.s)
			continue
		}
		list = append(list, w)
	}
	flushList("")
	return code
}

// pipeline runs cmd | cmd | … with a redirection of the last.
func (s *session) pipeline(c docCmd, words []token, term *lockedBuffer) int {
	var stages [][]token
	var cur []token
	for _, w := range words {
		if w.op && w.s == "|" {
			stages = append(stages, cur)
			cur = nil
			continue
		}
		cur = append(cur, w)
	}
	stages = append(stages, cur)
	var in []byte
	code := 0
	for i, st := range stages {
		var args []string
		redirect := ""
		env := map[string]string{} // NAME=value before the command
		for j := 0; j < len(st); j++ {
			switch {
			case len(args) == 0 && !st[j].op && assignment.MatchString(st[j].s):
				name, value, _ := strings.Cut(st[j].s, "=")
				env[name] = value
			case st[j].op && st[j].s == ">" && j+1 < len(st):
				redirect = st[j+1].s
				j++
			case st[j].op && st[j].s == "2>&1":
			case st[j].op:
				s.t.Errorf("%s: unexpected %s", s.where(c), st[j].s)
				return 2
			case !st[j].quoted && strings.ContainsAny(st[j].s, "*?["):
				m, _ := filepath.Glob(st[j].s)
				if len(m) == 0 {
					m = []string{st[j].s}
				}
				args = append(args, m...)
			default:
				args = append(args, st[j].s)
			}
		}
		if len(args) == 0 {
			if len(env) > 0 {
				s.t.Errorf("%s: the doc tests do not run a variable assignment without a command: mark the block with <!-- doctest: skip REASON -->", s.where(c))
				return 2
			}
			continue
		}
		for k := range args {
			args[k] = strings.ReplaceAll(args[k], exitMark, strconv.Itoa(s.last))
		}
		var stdout io.Writer = term
		var buf *lockedBuffer
		if i < len(stages)-1 || redirect != "" {
			buf = &lockedBuffer{}
			stdout = buf
		}
		getenv := func(k string) string {
			if v, ok := env[k]; ok {
				return v
			}
			return s.env[k]
		}
		code = s.builtin(c, args, getenv, in, stdout, term)
		in = nil
		if buf != nil {
			in = buf.Bytes()
		}
		if redirect != "" {
			if err := os.WriteFile(redirect, in, 0o644); err != nil {
				s.t.Errorf("%s: %v", s.where(c), err)
			}
		}
	}
	return code
}

// assignment is a word that sets a variable for the command after it.
var assignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// builtin runs one command: lwf in-process, the others emulated.
func (s *session) builtin(c docCmd, args []string, getenv func(string) string, stdin []byte, stdout, stderr io.Writer) int {
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, format+"\n", a...)
		return 1
	}
	switch args[0] {
	case "lwf":
		// Polling is lwf's to choose; the docs' runs are polled quickly
		// (the progress lines this changes are not compared), except
		// --sandbox runs, which poll a local emulator quickly already: their
		// progress is shown as a first run prints it.
		if len(args) > 1 && (args[1] == "run" || args[1] == "wait") && !contains(args, "--poll-start") && !contains(args, "--sandbox") {
			args = append(args[:len(args):len(args)], "--poll-start", "20ms", "--poll-max", "200ms")
		}
		// Both streams to the terminal, in the order they were written.
		if stdout == stderr {
			return mainWithEnv(context.Background(), args[1:], bytes.NewReader(stdin), stdout, stdout, getenv)
		}
		return mainWithEnv(context.Background(), args[1:], bytes.NewReader(stdin), stdout, stderr, getenv)
	case "cat":
		for _, f := range args[1:] {
			b, err := os.ReadFile(f)
			if err != nil {
				return fail("cat: %v", err)
			}
			stdout.Write(b)
		}
		return 0
	case "echo":
		fmt.Fprintln(stdout, strings.Join(args[1:], " "))
		return 0
	case "sleep":
		if d, err := time.ParseDuration(args[len(args)-1] + "s"); err == nil && len(args) == 2 && d <= 5*time.Second {
			time.Sleep(d)
			return 0
		}
	case "head":
		return headCmd(args[1:], stdin, stdout, fail)
	case "curl":
		return curlCmd(args[1:], stdout, fail)
	case "python3":
		if len(args) != 3 || args[1] != "-m" || args[2] != "json.tool" {
			break
		}
		var b bytes.Buffer
		if err := json.Indent(&b, bytes.TrimSpace(stdin), "", "    "); err != nil {
			return fail("json.tool: %v", err)
		}
		fmt.Fprintln(stdout, b.String())
		return 0
	case "mkdir":
		for _, d := range args[1:] {
			if d != "-p" {
				if err := os.MkdirAll(d, 0o755); err != nil {
					return fail("mkdir: %v", err)
				}
			}
		}
		return 0
	case "ln":
		if len(args) == 4 && args[1] == "-s" {
			if err := os.Symlink(args[2], args[3]); err != nil {
				return fail("ln: %v", err)
			}
			return 0
		}
	case "mkfifo":
		for _, p := range args[1:] {
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				return fail("mkfifo: %v", err)
			}
		}
		return 0
	case "cp":
		if len(args) == 3 {
			b, err := os.ReadFile(args[1])
			if err != nil {
				return fail("cp: %v", err)
			}
			dst := args[2]
			if st, err := os.Stat(dst); err == nil && st.IsDir() {
				dst = filepath.Join(dst, filepath.Base(args[1]))
			}
			if err := os.WriteFile(dst, b, 0o644); err != nil {
				return fail("cp: %v", err)
			}
			return 0
		}
	}
	s.t.Errorf("%s: the doc tests do not run %q: mark the block with <!-- doctest: skip REASON -->", s.where(c), strings.Join(args, " "))
	return 127
}

func headCmd(args []string, stdin []byte, stdout io.Writer, fail func(string, ...any) int) int {
	lines, bytesN := 10, -1
	var file string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-n" && i+1 < len(args):
			i++
			lines, _ = strconv.Atoi(args[i])
		case a == "-c" && i+1 < len(args):
			i++
			bytesN, _ = strconv.Atoi(args[i])
		case strings.HasPrefix(a, "-"):
			lines, _ = strconv.Atoi(a[1:])
		default:
			file = a
		}
	}
	data := stdin
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return fail("head: %v", err)
		}
		data = b
	}
	if bytesN >= 0 {
		stdout.Write(data[:min(bytesN, len(data))])
		fmt.Fprintln(stdout)
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 0; n < lines && sc.Scan(); n++ {
		fmt.Fprintln(stdout, sc.Text())
	}
	return 0
}

func curlCmd(args []string, stdout io.Writer, fail func(string, ...any) int) int {
	var (
		url, data string
		post      bool
		headers   [][2]string
	)
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-s":
		case a == "-H" && i+1 < len(args):
			i++
			k, v, _ := strings.Cut(args[i], ":")
			headers = append(headers, [2]string{strings.TrimSpace(k), strings.TrimSpace(v)})
		case a == "-d" && i+1 < len(args):
			i++
			data, post = args[i], true
		default:
			url = a
		}
	}
	method := http.MethodGet
	if post {
		method = http.MethodPost
	}
	req, err := http.NewRequest(method, url, strings.NewReader(data))
	if err != nil {
		return fail("curl: %v", err)
	}
	for _, h := range headers {
		req.Header.Set(h[0], h[1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fail("curl: %v", err)
	}
	defer resp.Body.Close()
	io.Copy(stdout, resp.Body)
	fmt.Fprintln(stdout) // curl prints no newline; the shell's prompt starts a new line
	return 0
}

// startSandbox starts the session's sandbox and returns its address.
func (s *session) startSandbox(args []string) string {
	sv := s.startServe(args)
	m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(sv.out.String())
	if m == nil {
		s.t.Fatalf("the sandbox did not start:\n%s", sv.out.String())
	}
	return m[1]
}

// startServe runs lwf sandbox serve until the session ends.
func (s *session) startServe(args []string) *served {
	ctx, cancel := context.WithCancel(context.Background())
	sv := &served{cancel: cancel, done: make(chan struct{}), out: &lockedBuffer{}}
	go func() {
		defer close(sv.done)
		mainWithEnv(ctx, args, strings.NewReader(""), sv.out, sv.out, func(string) string { return "" })
	}()
	s.serves = append(s.serves, sv)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if strings.Contains(sv.out.String(), "press Ctrl-C to stop\n") {
			return sv
		}
		select {
		case <-sv.done:
			s.t.Fatalf("lwf %s ended:\n%s", strings.Join(args, " "), sv.out.String())
		default:
		}
	}
	s.t.Fatalf("lwf %s did not start:\n%s", strings.Join(args, " "), sv.out.String())
	return nil
}

// serve runs a document's lwf sandbox serve on a free port: the banner is
// compared now, what it logs later when the block ends.
func (s *session) serve(c docCmd, words []token) {
	args := []string{}
	for i := 1; i < len(words); i++ {
		if words[i].s == "--addr" && i+1 < len(words) {
			i++
			continue
		}
		args = append(args, words[i].s)
	}
	sv := s.startServe(append(args, "--addr", "127.0.0.1:0"))
	n := 0
	for n < len(c.want) && !strings.Contains(c.want[n], "press Ctrl-C to stop") {
		n++
	}
	banner := c.want[:min(n+1, len(c.want))]
	sv.rest, sv.cmd = c.want[len(banner):], c
	s.compare(c, banner, sv.out.String())
	sv.out.Reset()
}

// checkServes compares what the block's servers logged with what the
// document shows.
func (s *session) checkServes() {
	for _, sv := range s.serves {
		if sv.rest == nil {
			continue
		}
		want := sv.rest
		sv.rest = nil
		// Requests are logged when answered: wait a little for the last.
		for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if strings.Count(sv.out.String(), "\n") >= len(want) {
				break
			}
		}
		s.compare(sv.cmd, want, sv.out.String())
	}
}

func (s *session) stopServes() {
	for _, sv := range s.serves {
		sv.cancel()
		<-sv.done
	}
}

// lockedBuffer is a buffer written by several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *lockedBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]byte(nil), l.b.Bytes()...)
}

func (l *lockedBuffer) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Reset()
}

// idKinds are the ids bound on first sight, by kind.
var idKinds = []struct {
	kind string
	re   *regexp.Regexp
}{
	{"run", regexp.MustCompile(`\br-[0-9a-f]{12}\b`)},
	{"workflow", regexp.MustCompile(`\bwf-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)},
	{"address", regexp.MustCompile(`\b127\.0\.0\.1:\d+\b`)},
	{"account", regexp.MustCompile(`\b[0-9a-f]{32}\b`)},
	{"account", regexp.MustCompile(`\baccount [0-9a-f]{12}\b`)},
}

// varying are what changes from run to run without being an id.
var varying = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)`), "<time>"},
	{regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?( UTC)?`), "<time>"},
	{regexp.MustCompile(`\b\d{4}-\d\d-\d\d\b`), "<date>"},
	{regexp.MustCompile(`\b\d\d:\d\d:\d\d\b`), "<clock>"},
	{regexp.MustCompile(`\btoday \d\d:\d\d UTC\b`), "today <clock> UTC"},
	{regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|us|ms)\b`), "<duration>"},
	{regexp.MustCompile(`\b(just now|\d+[mhd] ago)\b`), "<age>"},
	{regexp.MustCompile(` +`), " "},
}

// normalise sets aside what varies in a line.
func normalise(line string) string {
	for _, k := range idKinds {
		line = k.re.ReplaceAllString(line, "<"+k.kind+">")
	}
	for _, v := range varying {
		line = v.re.ReplaceAllString(line, v.with)
	}
	return strings.TrimRight(line, " ")
}

// progress is a line of a workflow still on its way, whose number
// depends on timing.
var progress = regexp.MustCompile(`^<clock> <run> workflow \d+/\d+ \(<workflow>\) (running|pending)\b`)

// finished is a line of a workflow that ended or was submitted: several
// polled at once are printed in the order their answers came, so runs of
// such lines are compared in the order of the workflows.
var finished = regexp.MustCompile(`^<clock> <run> workflow (\d+)/\d+ \(<workflow>\) (submitted|completed|cancelled|failed)$`)

func finishedIndex(norm string) int {
	n, _ := strconv.Atoi(finished.FindStringSubmatch(norm)[1])
	return n
}

// matchOutput matches the lines shown with the lines printed and returns
// the pairs of lines matched, to bind their ids.
func matchOutput(want, got []string) ([][2]string, bool) {
	type line struct{ raw, norm string }
	keep := func(ls []string) []line {
		var out []line
		for _, l := range ls {
			n := normalise(l)
			if !progress.MatchString(n) {
				out = append(out, line{l, n})
			}
		}
		return out
	}
	w, g := keep(want), keep(got)
	sortFinished := func(ls []line) {
		for i := 0; i < len(ls); {
			j := i
			for j < len(ls) && finished.MatchString(ls[j].norm) {
				j++
			}
			if j > i {
				sort.SliceStable(ls[i:j], func(a, b int) bool {
					return finishedIndex(ls[i+a].norm) < finishedIndex(ls[i+b].norm)
				})
				i = j
			} else {
				i++
			}
		}
	}
	sortFinished(w)
	sortFinished(g)
	memo := map[[2]int]bool{}
	var pairs [][2]string
	var m func(i, j int) bool
	m = func(i, j int) bool {
		if done, ok := memo[[2]int{i, j}]; ok && !done {
			return false
		}
		ok := false
		switch {
		case i == len(w):
			ok = j == len(g)
		case strings.TrimSpace(w[i].norm) == "…":
			for k := j; k <= len(g) && !ok; k++ {
				ok = m(i+1, k)
			}
		case j < len(g) && lineMatches(w[i].norm, g[j].norm):
			n := len(pairs)
			if !strings.Contains(w[i].norm, "…") {
				pairs = append(pairs, [2]string{w[i].raw, g[j].raw})
			}
			if ok = m(i+1, j+1); !ok {
				pairs = pairs[:n]
			}
		}
		memo[[2]int{i, j}] = ok
		return ok
	}
	return pairs, m(0, 0)
}

func lineMatches(want, got string) bool {
	if !strings.Contains(want, "…") {
		return want == got
	}
	parts := strings.Split(want, "…")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$").MatchString(got)
}

// bindings map the ids a document shows to the ids lwf printed.
type bindings struct {
	shown, printed map[string]string // by kind and value
}

func newBindings() *bindings {
	return &bindings{shown: map[string]string{}, printed: map[string]string{}}
}

// bind records the ids of a matched pair of lines, in order, by kind.
func (b *bindings) bind(want, got string) error {
	for _, k := range idKinds {
		ws, gs := k.re.FindAllString(want, -1), k.re.FindAllString(got, -1)
		if len(ws) != len(gs) {
			continue
		}
		for i := range ws {
			w, g := k.kind+"\x00"+ws[i], k.kind+"\x00"+gs[i]
			if old, ok := b.shown[w]; ok && old != g {
				return fmt.Errorf("the document shows %s for two %s ids: %s and %s", ws[i], k.kind, strings.Split(old, "\x00")[1], gs[i])
			}
			if old, ok := b.printed[g]; ok && old != w {
				return fmt.Errorf("the document shows two %s ids, %s and %s, for the one lwf printed: %s", k.kind, strings.Split(old, "\x00")[1], ws[i], gs[i])
			}
			b.shown[w], b.printed[g] = g, w
		}
	}
	return nil
}

// apply replaces in a command the ids the document showed by those lwf
// printed.
func (b *bindings) apply(text string) string {
	keys := make([]string, 0, len(b.shown))
	for k := range b.shown {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	for _, k := range keys {
		_, shown, _ := strings.Cut(k, "\x00")
		_, printed, _ := strings.Cut(b.shown[k], "\x00")
		if strings.HasPrefix(shown, "account ") {
			continue
		}
		text = strings.ReplaceAll(text, shown, printed)
		// A unique prefix of a run id stands for the run: r-6f84, 6f84.
		if strings.HasPrefix(shown, "r-") {
			text = replacePrefixes(text, shown, printed)
		}
	}
	return text
}

// runPrefix is a word that may be a unique prefix of a run id.
var runPrefix = regexp.MustCompile(`(^|\s)((?:r-)?[0-9a-f]{4,11})(\s|$)`)

// unapply replaces in a line lwf printed the ids bound to those the
// document shows, so that an updated output names what the document
// named before.
func (b *bindings) unapply(line string) string {
	for _, k := range idKinds {
		line = k.re.ReplaceAllStringFunc(line, func(id string) string {
			if w, ok := b.printed[k.kind+"\x00"+id]; ok {
				_, shown, _ := strings.Cut(w, "\x00")
				return shown
			}
			return id
		})
	}
	return line
}

// replacePrefixes replaces a prefix of a shown run id (r-6f84, 6f84) by
// the same prefix of the printed one.
func replacePrefixes(text, shown, printed string) string {
	return runPrefix.ReplaceAllStringFunc(text, func(m string) string {
		sub := runPrefix.FindStringSubmatch(m)
		w := sub[2]
		switch {
		case strings.HasPrefix(shown, w):
			w = printed[:len(w)]
		case strings.HasPrefix(shown[2:], w):
			w = printed[2 : 2+len(w)]
		}
		return sub[1] + w + sub[3]
	})
}

// TestDocsExitCodes: the README's table of exit codes is lwf's one table.
func TestDocsExitCodes(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "## Exit codes\n") || !strings.Contains(string(readme), exitCodesMarkdown()) {
		t.Errorf("the README's exit codes are not exitCodes; the table is:\n%s", exitCodesMarkdown())
	}
	docs, _ := filepath.Glob("../../docs/*.md")
	for _, d := range docs {
		b, _ := os.ReadFile(d)
		if strings.Contains(string(b), "\n| code | meaning |") {
			t.Errorf("%s has a table of exit codes of its own: link the README's", d)
		}
	}
}

// TestDocsHarness: the constructs the docs test reads — a file marker
// over the block a document shows, files carried past blocks without
// commands, NAME=value before a command — do what the header says.
func TestDocsHarness(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	md := filepath.Join(dir, "doc.md")
	greet := "version: 1\nname: greet\nenv: [WHO]\nworkflow:\n  action: sendMessage\n" +
		"  personUrl: https://www.linkedin.com/in/ada-lovelace\n  text: Hello from ${{ env.WHO }}!\n"
	write(t, md, "<!-- doctest: file greet.yaml -->\n```yaml\n"+greet+"```\n\n"+
		"<!-- doctest: file hidden.txt\nhidden\n-->\n```yaml\nnot: commands\n```\n\n"+
		"```\n$ WHO='Grace H' lwf compile greet.yaml --compact\n```\n")
	doc := parseDoc(t, md)
	if len(doc.blocks) != 1 || len(doc.blocks[0].cmds) != 1 {
		t.Fatalf("blocks %+v, want one with one command", doc.blocks)
	}
	b := doc.blocks[0]
	want := map[string]string{"greet.yaml": greet, "hidden.txt": "hidden\n"}
	if fmt.Sprint(b.files) != fmt.Sprint(want) {
		t.Errorf("files %q, want %q", b.files, want)
	}
	write(t, "greet.yaml", b.files["greet.yaml"])
	s := &session{t: t, doc: doc, dir: dir, env: map[string]string{"LWF_CONFIG": filepath.Join(dir, "none.yaml")}, binds: newBindings()}
	words, err := shellWords(b.cmds[0].text)
	if err != nil {
		t.Fatal(err)
	}
	out := &lockedBuffer{}
	code := s.pipeline(b.cmds[0], words, out)
	if got := strings.TrimSpace(out.String()); code != 0 || !strings.Contains(got, `"text":"Hello from Grace H!"`) {
		t.Errorf("exit %d:\n%s", code, got)
	}
	if s.env["WHO"] != "" {
		t.Errorf("WHO=%q stayed in the session's environment", s.env["WHO"])
	}
}
