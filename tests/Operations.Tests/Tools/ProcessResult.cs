namespace Platform.Operations.Tests.Tools;

internal sealed record ProcessResult(int ExitCode, string Output)
{
    public string Describe() => $"exit {ExitCode}\n{Output}";
}
