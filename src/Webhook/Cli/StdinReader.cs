namespace Platform.Webhook.Cli;

/// <summary>
/// Standard input for the commands that take '-': read at most once, and announced on stderr when it is a terminal,
/// where reading would otherwise look like a hang.
/// </summary>
internal sealed class StdinReader(TextReader stdin, TextWriter stderr, bool isTerminal)
{
    private bool _read;

    /// <summary>Reads all of stdin; <paramref name="what"/> says what is expected there ("the policy", "manifests").</summary>
    public string ReadAll(string what)
    {
        if (_read)
        {
            throw new CliUsageException("stdin ('-') can be read only once");
        }

        _read = true;
        if (isTerminal)
        {
            stderr.WriteLine($"reading {what} from stdin (a terminal): paste it, then end with Ctrl-D.");
        }

        return stdin.ReadToEnd();
    }
}
