package compiler_test

import (
	"context"
	"fmt"

	"github.com/lwf-dev/lwf/compiler"
)

// Compile a workflow from source with one input value and print the body
// of POST /workflows.
func ExampleCompile() {
	src := []byte(`version: 1
name: say-hello
inputs:
  who: {type: string}
workflow:
  action: sendMessage
  personUrl: https://www.linkedin.com/in/${{ inputs.who }}
  text: Hello ${{ inputs.who }}!
`)
	plan, diags := compiler.Compile(context.Background(), "hello.yaml", src, compiler.Options{
		Inputs: []string{"who=ada"},
	})
	if diags.HasErrors() {
		fmt.Println(diags)
		return
	}
	fmt.Println(string(plan.Payloads[0]))
	// Output:
	// {"actionType":"st.sendMessage","personUrl":"https://www.linkedin.com/in/ada","text":"Hello ada!"}
}

// Validate a file the way pull-request checks do: no input values, every
// problem with its position.
func ExampleCompile_validate() {
	src := []byte(`version: 1
name: broken
workflow:
  action: searchPeople
  limit: 5000
  then:
    action: doForPeople
    then:
      action: sendConnectionRequest
`)
	_, diags := compiler.Compile(context.Background(), "broken.yaml", src, compiler.Options{Symbolic: true})
	for _, d := range diags {
		fmt.Println(d)
	}
	// Output:
	// broken.yaml:5:10: limit must be at most 1000, got 5000 [param-value]
	// broken.yaml:9:15: st.sendConnectionRequest cannot run under st.doForPeople [invalid-parent]
}

// Compile a standard workflow by name, as the SDK's fetchPerson would send it.
func ExampleCompileFile_standardWorkflow() {
	plan, diags := compiler.CompileFile(context.Background(), "fetch-person", compiler.Options{
		Inputs: []string{"personUrl=https://www.linkedin.com/in/john-doe", "retrieveSkills=true"},
	})
	if diags.HasErrors() {
		fmt.Println(diags)
		return
	}
	fmt.Println(string(plan.Payloads[0]))
	// Output:
	// {"actionType":"st.openPersonPage","basicInfo":true,"personUrl":"https://www.linkedin.com/in/john-doe","then":[{"actionType":"st.retrievePersonSkills"}]}
}
