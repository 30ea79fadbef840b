package normalize

// renderECS is being written; it renders native meanwhile.
func renderECS(w *jsonw, ev *Event) { renderNative(w, ev) }
