using Platform.Webhook.Policy;

namespace Platform.Webhook.Cli;

/// <summary><c>check-policy</c>: loads a policy with the webhook's own loader and lists every error with its path.</summary>
internal static class CheckPolicyCommand
{
    public static int Run(IReadOnlyList<string> args, StdinReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var files = args.Where(a => a == "-" || !a.StartsWith('-')).ToList();
        var unknown = args.FirstOrDefault(a => a != "-" && a.StartsWith('-'));
        if (unknown is not null)
        {
            throw new CliUsageException($"check-policy: unknown option '{unknown}'");
        }

        if (files.Count != 1)
        {
            throw new CliUsageException("check-policy: give exactly one policy file (or '-' for stdin)");
        }

        var (text, source) = InputFiles.Read(files[0], stdin, "the policy");
        var result = PolicyLoader.Parse(text);
        if (!result.IsValid)
        {
            stderr.WriteLine($"policy {source} is invalid ({result.Errors.Count} error{(result.Errors.Count == 1 ? string.Empty : "s")}):");
            foreach (var error in result.Errors)
            {
                stderr.WriteLine($"  {error}");
            }

            return WebhookCli.ExitBadInput;
        }

        stdout.WriteLine($"policy OK: {Describe(result.Policy!)}");
        return WebhookCli.ExitAllowed;
    }

    public static string Describe(GpuPolicy policy) =>
        $"{policy.Profiles.Count} profile{(policy.Profiles.Count == 1 ? string.Empty : "s")}, {policy.Rules.Count} rule{(policy.Rules.Count == 1 ? string.Empty : "s")}";
}
