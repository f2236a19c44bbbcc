using Platform.Webhook.Manifests;

namespace Platform.Webhook.Cli;

/// <summary>
/// The offline commands of the webhook binary (like <c>kyverno apply</c>): <c>mutate</c> previews the webhook on
/// manifests with no cluster, <c>check-policy</c> validates a policy. Program.cs hands over when
/// <see cref="IsCliCommand"/> is true, before any host is built.
/// </summary>
internal static class WebhookCli
{
    public const int ExitAllowed = 0;
    public const int ExitDenied = 1;
    public const int ExitBadInput = 2;

    public static bool IsCliCommand(string[] args) => args is ["mutate" or "check-policy", ..];

    /// <param name="stdinIsTerminal">True when stdin is a terminal (not redirected): a command about to read it says so,
    /// rather than seeming to hang.</param>
    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, bool stdinIsTerminal = false)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || !IsCliCommand(args))
        {
            stderr.WriteLine(CliText.Usage);
            return ExitBadInput;
        }

        var rest = args[1..];
        if (rest.Any(a => a is "--help" or "-h" or "-?"))
        {
            stdout.WriteLine(CliText.Usage);
            return ExitAllowed;
        }

        try
        {
            return args[0] == "mutate"
                ? MutateCommand.Run(rest, new StdinReader(stdin, stderr, stdinIsTerminal), stdout, stderr)
                : CheckPolicyCommand.Run(rest, new StdinReader(stdin, stderr, stdinIsTerminal), stdout, stderr);
        }
        catch (CliUsageException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            if (e.ShowUsage)
            {
                stderr.WriteLine();
                stderr.WriteLine(CliText.Usage);
            }

            return ExitBadInput;
        }
        catch (ManifestFormatException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitBadInput;
        }
    }
}
