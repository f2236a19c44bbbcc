namespace Platform.Sandbox.Scenario;

/// <summary>A step could not go on: the message names the step and the problem; bad input exits 2, anything else 1.</summary>
internal sealed class SandboxFailure(string step, string message, int exitCode = SandboxFailure.ExitFailed) : Exception(message)
{
    public const int ExitFailed = 1;
    public const int ExitBadInput = 2;

    public string Step { get; } = step;

    public int ExitCode { get; } = exitCode;
}
