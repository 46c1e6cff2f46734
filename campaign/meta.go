package campaign

import (
	"encoding/json"
	"fmt"

	"github.com/lwf-dev/lwf/compiler"
)

// RunMeta is what a run keeps of how it was compiled (state.Run.Meta),
// so that lwf wait can compile it again to apply output: expressions and
// lwf result --by-variant can group outcomes by variant.
type RunMeta struct {
	File       string   `json:"file"` // absolute, or a standard workflow's name
	Dir        string   `json:"dir"`  // working directory at the time
	Inputs     []string `json:"inputs,omitempty"`
	InputsFile string   `json:"inputsFile,omitempty"`
	ChunkSize  int      `json:"chunkSize,omitempty"`
	MaxBytes   int      `json:"maxBytes,omitempty"`
	Env        []string `json:"env,omitempty"` // --env: the variables the file may read
	// LoopsDigest is what the file's named loops sent (Plan.LoopsDigest):
	// a run's later stages render only from the same loops.
	LoopsDigest string `json:"loopsDigest,omitempty"`
	// Loops are the item names of the named loops, by loop id: the
	// groups of a staged run's result columns.
	Loops []string `json:"loops,omitempty"`
	// Variants records which version of a variants: text each action
	// got, for lwf result --by-variant.
	Variants []compiler.Variant `json:"variants,omitempty"`
}

// ParseMeta reads a run's metadata; a run without any has the zero
// value.
func ParseMeta(b json.RawMessage) (RunMeta, error) {
	var m RunMeta
	if len(b) == 0 {
		return m, nil
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("reading the run's metadata: %w", err)
	}
	return m, nil
}

// Encode returns the metadata as stored with the run.
func (m RunMeta) Encode() json.RawMessage {
	b, _ := json.Marshal(m) // plain strings, numbers and lists: cannot fail
	return b
}
