namespace Platform.Sandbox.Output;

/// <summary>How a line is coloured on a terminal.</summary>
internal enum Tone
{
    Plain,
    Good,
    Warn,
    Bad,
    Dim,
    Bold,
}
