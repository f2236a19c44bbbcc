using Platform.Webhook.Manifests;
using Platform.Webhook.Mutation;
using Platform.Webhook.Policy;

namespace Platform.Webhook.Cli;

/// <summary><c>mutate</c>: mutates the group templates of every Ray custom resource in the inputs (the template
/// level), then runs every pod found, including the pods KubeRay builds from those templates, through
/// <see cref="PodMutator"/> (the pod level), and prints both.</summary>
internal static class MutateCommand
{
    public static int Run(IReadOnlyList<string> args, StdinReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var arguments = MutateArguments.Parse(args);
        var (policy, policyDescription) = LoadPolicy(arguments.PolicyFile, stdin, stderr);
        if (policy is null)
        {
            return WebhookCli.ExitBadInput;
        }

        var documents = new List<ManifestDocument>();
        foreach (var input in arguments.Inputs)
        {
            var (text, source) = InputFiles.Read(input, stdin, "manifests");
            documents.AddRange(ManifestReader.Read(text, source));
        }

        var templateLevel = new List<TemplateLevel.Outcome>();
        documents = TemplateLevel.Apply(documents, arguments.Namespace, policy, templateLevel);
        var found = PodInputCollector.Collect(documents, arguments.Namespace);
        foreach (var skipped in found.Skipped)
        {
            stderr.WriteLine($"skipped {skipped.Description} ({skipped.Source}:{skipped.Line}): {skipped.Reason}");
        }

        if (found.Pods.Count == 0)
        {
            stderr.WriteLine($"error: no Pod, AdmissionReview pod CREATE, RayCluster, RayJob or RayService found in {string.Join(", ", arguments.Inputs.Select(i => i == "-" ? InputFiles.StdinName : i))}");
            return WebhookCli.ExitBadInput;
        }

        var outcomes = found.Pods
            .Select(pod => new PodOutcome(pod, MutateSafely(pod, policy), arguments.DenyOnError))
            .ToList();

        switch (arguments.Output)
        {
            case OutputFormat.Report:
                var templates = new StringWriter();
                TemplateLevel.WriteReport(templates, templateLevel);
                ReportWriter.Write(stdout, policyDescription, outcomes, templates.ToString());
                break;
            default:
                MachineOutputWriter.Write(stdout, arguments.Output, outcomes);
                foreach (var (origin, result) in templateLevel.Where(t => t.Result.Decision == MutationDecision.Denied))
                {
                    stderr.WriteLine($"denied: {origin} (template level): {result.Message}");
                }

                foreach (var rejected in outcomes.Where(o => !o.Allowed))
                {
                    var group = rejected.Input.Group is null ? string.Empty : $" group {rejected.Input.Group}";
                    stderr.WriteLine($"{rejected.DecisionText}: {rejected.Input.Origin}{group}: {rejected.Result.Message}");
                }

                break;
        }

        return outcomes.All(o => o.Allowed) && templateLevel.All(t => t.Result.Decision != MutationDecision.Denied) ? WebhookCli.ExitAllowed : WebhookCli.ExitDenied;
    }

    /// <summary>
    /// The webhook answers its own unexpected errors per Admission:OnError instead of failing the request; the
    /// preview does the same, so one odd pod cannot hide the outcome of the others.
    /// </summary>
    private static MutationResult MutateSafely(PodInput pod, GpuPolicy policy)
    {
        try
        {
            return PodMutator.Mutate(pod.Pod, pod.Namespace, policy);
        }
        catch (Exception e)
        {
            // As AdmissionHandler: the core should not throw; if it does, this pod is "failed", the rest still run.
            return new MutationResult(
                MutationDecision.Failed, RayPodKind.NotRay, null, null, null, [], [],
                new Dictionary<string, string>(StringComparer.Ordinal), $"internal error: {e.GetType().Name}: {e.Message}", null);
        }
    }

    private static (GpuPolicy? Policy, string Description) LoadPolicy(string? file, StdinReader stdin, TextWriter stderr)
    {
        if (file is null)
        {
            return (GpuPolicy.Default, "built-in default (no --policy)");
        }

        // '-' reads the policy from stdin, as check-policy does; the manifests then come from files.
        var loaded = file == "-" ? PolicyLoader.Parse(stdin.ReadAll("the policy")) : PolicyLoader.LoadFile(file);
        file = file == "-" ? InputFiles.StdinName : file;
        if (!loaded.IsValid)
        {
            stderr.WriteLine($"error: the policy {file} is invalid:");
            foreach (var error in loaded.Errors)
            {
                stderr.WriteLine($"  {error}");
            }

            return (null, file);
        }

        return (loaded.Policy, $"{file} ({CheckPolicyCommand.Describe(loaded.Policy!)})");
    }
}
