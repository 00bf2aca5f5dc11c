// Package greeting lives in its own module of the workspace.
package greeting

// Text is what the API answers.
func Text() string { return "hello from a go workspace\n" }
