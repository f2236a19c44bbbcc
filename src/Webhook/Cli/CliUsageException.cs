namespace Platform.Webhook.Cli;

/// <summary>Bad command-line arguments or unreadable input: exit code 2 with the message (and usage for arguments).</summary>
internal sealed class CliUsageException(string message, bool showUsage = true) : Exception(message)
{
    public bool ShowUsage { get; } = showUsage;
}
