package lambda

// logging holds a version's LoggingConfig as stored. The zero value is AWS's default:
// Text format, no levels, the group /aws/lambda/<name>.
type logging struct {
	Format      string `json:"format,omitempty"`
	AppLevel    string `json:"app,omitempty"`
	SystemLevel string `json:"system,omitempty"`
	Group       string `json:"group,omitempty"`
}

// errLogLevelWithText is AWS's answer to a log level on a function whose format is Text.
func errLogLevelWithText() error {
	return NewInvalidParameterValueException(`LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your request or change the LogFormat to "JSON" and try again.`)
}

// applyLogging merges a LoggingConfig of CreateFunction or UpdateFunctionConfiguration
// into c, as AWS does: fields left out keep their value; switching to JSON sets both
// levels to INFO unless given, switching to Text drops them; a level on a Text function
// is refused.
func applyLogging(c *functionConfig, in *LoggingConfig) error {
	if in == nil {
		return nil
	}
	l := c.Logging
	if l.Format == "" {
		l.Format = LogFormatText
	}
	if in.LogFormat != nil {
		l.Format = *in.LogFormat
	}
	if l.Format == LogFormatText {
		if in.ApplicationLogLevel != nil || in.SystemLogLevel != nil {
			return errLogLevelWithText()
		}
		l.AppLevel, l.SystemLevel = "", ""
	} else {
		setIf(&l.AppLevel, in.ApplicationLogLevel)
		setIf(&l.SystemLevel, in.SystemLogLevel)
		if l.AppLevel == "" {
			l.AppLevel = ApplicationLogLevelINFO
		}
		if l.SystemLevel == "" {
			l.SystemLevel = SystemLogLevelINFO
		}
	}
	setIf(&l.Group, in.LogGroup)
	if l.Format == LogFormatText {
		l.Format = "" // the default, stored as such
	}
	c.Logging = l
	return nil
}

// logGroup is the version's log group: the configured one or /aws/lambda/<name>.
func (l logging) logGroup(name string) string {
	if l.Group != "" {
		return l.Group
	}
	return "/aws/lambda/" + name
}

func (l logging) format() string {
	if l.Format == "" {
		return LogFormatText
	}
	return l.Format
}

// wire renders the LoggingConfig AWS returns: always LogFormat and LogGroup, the levels
// only with the JSON format.
func (l logging) wire(name string) *LoggingConfig {
	out := &LoggingConfig{LogFormat: ptr(l.format()), LogGroup: ptr(l.logGroup(name))}
	if l.AppLevel != "" {
		out.ApplicationLogLevel = ptr(l.AppLevel)
	}
	if l.SystemLevel != "" {
		out.SystemLogLevel = ptr(l.SystemLevel)
	}
	return out
}
