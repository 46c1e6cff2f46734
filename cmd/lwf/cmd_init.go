package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/lang"
	"github.com/lwf-dev/lwf/schemas"
)

// initTemplate is the file lwf init writes: valid, runnable on the
// sandbox as written, and commented for a first read.
const initTemplate = `# yaml-language-server: $schema=./lwf.schema.json
#
# %[1]s: connect with the people a search finds.
#
#   lwf validate %[1]s.yaml
#   lwf run --sandbox %[1]s.yaml
version: 1
name: %[1]s
description: Search people and send each a connection request with a note.
inputs:
  term:
    type: string
    description: Who to look for.
    default: CTO
  limit:
    type: integer
    description: How many people to contact.
    default: 2
    minimum: 1
    maximum: 100
  note:
    type: string
    default: "Hi! I'd love to connect."
    maxLength: 300
workflow:
  action: searchPeople
  term: ${{ inputs.term }}
  limit: ${{ inputs.limit }}
  then:
    action: doForPeople
    then:
      action: openPersonPage
      then:
        action: sendConnectionRequest
        note: ${{ inputs.note }}
`

const initCampaign = `# yaml-language-server: $schema=./lwf.schema.json
#
# A campaign over a CSV of leads: one personal connection request per row,
# two versions of the note (each lead always gets the same one), and a
# daily cap on connection requests.
#
#   lwf validate campaign.yaml
#   lwf run --sandbox campaign.yaml --input leads=@leads.csv
version: 1
name: campaign
description: Personal connection requests to the leads of a CSV file.
inputs:
  leads:
    type: array
    description: A CSV file with a header row (url, firstName, company).
    items:
      type: object
      properties:
        url: {type: string}
        firstName: {type: string}
        company: {type: string}
limits:
  stConnectionRequests: {daily: 25}
workflow:
  - action: sendConnectionRequest
    label: ${{ lead.firstName ?? lead.url }}
    forEach: ${{ inputs.leads }}
    as: lead
    personUrl: ${{ lead.url }}
    variants:
      note:
        - Hi ${{ lead.firstName ?? "there" }}, I enjoyed reading about ${{ lead.company ?? "your work" }}. Would be glad to connect!
        - Hello ${{ lead.firstName ?? "there" }}! I follow what ${{ lead.company ?? "your team" }} builds and would love to connect.
`

const initLeads = `url,firstName,company
https://www.linkedin.com/in/ada-lovelace,Ada,Analytical Engines
https://www.linkedin.com/in/grace-hopper,Grace,Compilers Inc
https://www.linkedin.com/in/alan-turing,Alan,Bletchley Labs
`

const initReadme = "# Campaigns\n\n" +
	"Workflow files for [lwf](https://github.com/lwf-dev/lwf). Check and try them:\n\n" +
	"```sh\nlwf validate .\nlwf run --sandbox campaign.yaml --input leads=@leads.csv\n```\n\n" +
	"Run them for real with `LINKED_API_TOKEN` and `IDENTIFICATION_TOKEN` set, and keep\n" +
	"them checked in pull requests with `lwf validate --format github .`.\n"

func newInitCmd(a *app) *cobra.Command {
	var examples, force bool
	cmd := &cobra.Command{
		Use:   "init [NAME]",
		Short: "Write a starter workflow file (and the editor schema next to it)",
		Long: `Write NAME.yaml (default campaign.yaml), a workflow that validates and runs on
the sandbox as written, and lwf.schema.json next to it, which the file's
yaml-language-server modeline points at for completion and checks in editors.
With --examples, write a folder NAME/ holding a CSV campaign, its leads and a
README instead. Existing files are never overwritten without --force; an
lwf.schema.json identical to this lwf's is kept, so several files can share a
folder.`,
		Example: `  lwf init outreach
  lwf init --examples my-campaigns`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := "campaign"
			if len(args) == 1 {
				name = strings.TrimSuffix(strings.TrimSuffix(args[0], ".yaml"), ".yml")
			}
			base := filepath.Base(name)
			if !lang.IsName(base) {
				return usageErr("%q is not a workflow name: use lower-case words joined by '-'", base)
			}
			cat, err := schemas.Default()
			if err != nil {
				return err
			}
			schema, err := lang.DSLSchema(cat)
			if err != nil {
				return err
			}
			dir := filepath.Dir(name)
			files := map[string]string{
				filepath.Join(dir, "lwf.schema.json"): string(schema),
				name + ".yaml":                        fmt.Sprintf(initTemplate, base),
			}
			if examples {
				dir = name
				files = map[string]string{
					filepath.Join(dir, "lwf.schema.json"): string(schema),
					filepath.Join(dir, "campaign.yaml"):   initCampaign,
					filepath.Join(dir, "leads.csv"):       initLeads,
					filepath.Join(dir, "README.md"):       initReadme,
				}
			}
			// Several files share one folder's schema: one that is
			// already there and identical is kept as it is.
			kept := map[string]bool{}
			for f, content := range files {
				old, err := os.ReadFile(f)
				switch {
				case err == nil && filepath.Base(f) == "lwf.schema.json" && string(old) == content:
					kept[f] = true
				case err == nil && !force:
					hint := "--force overwrites it"
					if filepath.Base(f) == "lwf.schema.json" {
						hint = "it is another lwf's schema: lwf schema > " + f + " refreshes it, --force overwrites every file"
					}
					return usageErr("%s exists; %s", f, hint)
				case err != nil && !errors.Is(err, fs.ErrNotExist):
					return usageErr("%v", err)
				}
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return usageErr("%v", err)
			}
			for _, f := range sortedFiles(files) {
				if kept[f] {
					fmt.Fprintln(a.stdout, "kept", f, "(up to date)")
					continue
				}
				if err := os.WriteFile(f, []byte(files[f]), 0o644); err != nil {
					return usageErr("%v", err)
				}
				fmt.Fprintln(a.stdout, "wrote", f)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&examples, "examples", false, "write a folder with a CSV campaign, its leads and a README")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite existing files")
	return cmd
}

func sortedFiles(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
