namespace Platform.Webhook.Cli;

/// <summary>Reads a named input file, or stdin for '-', turning I/O failures into exit-code-2 messages.</summary>
internal static class InputFiles
{
    public const string StdinName = "<stdin>";

    public static (string Text, string Source) Read(string path, StdinReader stdin, string what)
    {
        if (path == "-")
        {
            return (stdin.ReadAll(what), StdinName);
        }

        try
        {
            return (File.ReadAllText(path), path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliUsageException($"cannot read '{path}': {e.Message}", showUsage: false);
        }
    }
}
