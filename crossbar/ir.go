package crossbar

// SetIR replaces the IR-drop parameters after validating them.
func (a *Array) SetIR(c IRParams) error {
	p := a.p
	p.IR = c
	if err := p.Validate(); err != nil {
		return err
	}
	a.p = p
	return nil
}
