package normalize

// renderCIM is being written; it renders native meanwhile.
func renderCIM(w *jsonw, ev *Event) { renderNative(w, ev) }
