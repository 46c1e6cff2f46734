package main

import (
	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/lang"
	"github.com/lwf-dev/lwf/schemas"
)

func newSchemaCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of workflow files, for editors",
		Long: `Print the JSON Schema (draft-07) of lwf workflow files, generated from the
action catalog. Point yaml-language-server at it for completion, hover text and
checks while editing:

  # yaml-language-server: $schema=./lwf.schema.json`,
		Example: "  lwf schema > lwf.schema.json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cat, err := schemas.Default()
			if err != nil {
				return err
			}
			b, err := lang.DSLSchema(cat)
			if err != nil {
				return err
			}
			_, err = a.stdout.Write(b)
			return err
		},
	}
}
