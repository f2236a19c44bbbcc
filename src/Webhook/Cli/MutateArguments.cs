namespace Platform.Webhook.Cli;

/// <summary>Parsed arguments of <c>mutate</c>.</summary>
internal sealed record MutateArguments(string? PolicyFile, OutputFormat Output, string Namespace, bool DenyOnError, IReadOnlyList<string> Inputs)
{
    public static MutateArguments Parse(IReadOnlyList<string> args)
    {
        string? policy = null;
        var output = OutputFormat.Report;
        var ns = "default";
        var denyOnError = false;
        var inputs = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var (name, inlineValue) = SplitOption(arg);
            switch (name)
            {
                case "--policy" or "-p":
                    policy = Value(args, ref i, name, inlineValue);
                    break;
                case "--output" or "-o":
                    var format = Value(args, ref i, name, inlineValue);
                    output = format switch
                    {
                        "report" or "text" => OutputFormat.Report,
                        "yaml" => OutputFormat.Yaml,
                        "json" => OutputFormat.Json,
                        "patch" => OutputFormat.Patch,
                        _ => throw new CliUsageException($"--output: unknown format '{format}'; use report, yaml, json or patch"),
                    };
                    break;
                case "--namespace" or "-n":
                    ns = Value(args, ref i, name, inlineValue);
                    if (ns.Length == 0)
                    {
                        throw new CliUsageException("--namespace: the namespace must not be empty");
                    }

                    break;
                case "--on-error":
                    var action = Value(args, ref i, name, inlineValue);
                    denyOnError = action.ToLowerInvariant() switch
                    {
                        "allow" => false,
                        "deny" => true,
                        _ => throw new CliUsageException($"--on-error: unknown action '{action}'; use allow or deny"),
                    };
                    break;
                case "-":
                    inputs.Add(arg);
                    break;
                default:
                    if (arg.StartsWith('-'))
                    {
                        throw new CliUsageException($"mutate: unknown option '{arg}'");
                    }

                    inputs.Add(arg);
                    break;
            }
        }

        if (inputs.Count == 0)
        {
            inputs.Add("-");
        }

        if (inputs.Count(i => i == "-") + (policy == "-" ? 1 : 0) > 1)
        {
            throw new CliUsageException(policy == "-"
                ? "mutate: the policy is read from stdin (--policy -), so name the manifest files"
                : "mutate: stdin ('-') can be read only once");
        }

        return new MutateArguments(policy, output, ns, denyOnError, inputs);
    }

    private static (string Name, string? Value) SplitOption(string arg)
    {
        if (arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=', StringComparison.Ordinal) is var eq and > 2)
        {
            return (arg[..eq], arg[(eq + 1)..]);
        }

        return (arg, null);
    }

    private static string Value(IReadOnlyList<string> args, ref int i, string name, string? inlineValue)
    {
        if (inlineValue is not null)
        {
            return inlineValue;
        }

        if (i + 1 >= args.Count)
        {
            throw new CliUsageException($"{name}: a value is missing");
        }

        return args[++i];
    }
}
