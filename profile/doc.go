// Package profile reads lwf's config file: named profiles, each an
// account's Linked API credentials with the settings lwf keeps for it
// (its limits), and picks the credentials a command uses — a named
// profile, the environment, or the file's default profile.
//
// The file ($LWF_CONFIG, else ~/.config/lwf/config.yaml) holds tokens, so
// lwf refuses to read it when other users may.
package profile
