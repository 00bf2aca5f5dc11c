// Package greeting is shared by the commands of the module.
package greeting

// Text is what the server answers.
func Text(who string) string { return "hello from go cmd/" + who + "\n" }
