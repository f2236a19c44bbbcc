using System.Text;
using Platform.Webhook.Manifests;
using Platform.Webhook.Mutation;

namespace Platform.Webhook.Cli;

/// <summary>The human-readable <c>mutate</c> output: per pod a header, decision, warnings, patch and resulting pod.</summary>
internal static class ReportWriter
{
    /// <param name="templateLevel">The template level of the Ray resources, printed ahead of the pods.</param>
    public static void Write(TextWriter stdout, string policyDescription, IReadOnlyList<PodOutcome> outcomes, string templateLevel = "")
    {
        var sb = new StringBuilder();
        sb.Append("policy: ").Append(policyDescription).Append('\n');
        if (templateLevel.Length > 0)
        {
            sb.Append('\n').Append(templateLevel.TrimEnd('\n')).Append('\n');
        }

        foreach (var outcome in outcomes)
        {
            sb.Append('\n');
            WritePod(sb, outcome);
        }

        sb.Append('\n').Append(Summary(outcomes)).Append('\n');
        stdout.Write(sb.ToString());
    }

    internal static string Summary(IReadOnlyList<PodOutcome> outcomes)
    {
        int Count(MutationDecision d) => outcomes.Count(o => o.Result.Decision == d);
        var rejected = outcomes.Count(o => !o.Allowed);
        return $"summary: {outcomes.Count} pod{(outcomes.Count == 1 ? string.Empty : "s")}: {Count(MutationDecision.Patched)} patched, "
            + $"{Count(MutationDecision.Unchanged)} unchanged, {Count(MutationDecision.Denied)} denied, {Count(MutationDecision.Failed)} failed"
            + (rejected == 0 ? " (exit 0: all allowed)" : $" (exit 1: {rejected} rejected)");
    }

    private static void WritePod(StringBuilder sb, PodOutcome outcome)
    {
        var input = outcome.Input;
        var result = outcome.Result;
        sb.Append("=== ").Append(input.Origin);
        if (input.Group is not null)
        {
            sb.Append("  group ").Append(input.Group);
        }

        sb.Append(" (").Append(outcome.KindText).Append(")  pod ").Append(input.Namespace).Append('/').Append(input.PodName)
            .Append("  [").Append(input.Source).Append(':').Append(input.Line).Append("]\n");

        sb.Append("decision: ").Append(outcome.DecisionText);
        if (result.Profile is not null)
        {
            sb.Append(", profile ").Append(result.Profile);
        }

        sb.Append('\n');
        if (result.Message is not null)
        {
            sb.Append("reason: ").Append(result.Message).Append('\n');
        }

        if (result.AuditAnnotations.TryGetValue("changes", out var changes))
        {
            sb.Append("changes: ").Append(changes).Append('\n');
        }

        if (result.Warnings.Count == 0)
        {
            sb.Append("warnings: none\n");
        }
        else
        {
            sb.Append("warnings:\n");
            foreach (var warning in result.Warnings)
            {
                sb.Append("  - ").Append(warning).Append('\n');
            }
        }

        var patch = outcome.SentPatch;
        if (patch.Count == 0)
        {
            sb.Append("patch: none\n");
        }
        else
        {
            sb.Append("patch (").Append(patch.Count).Append(patch.Count == 1 ? " operation" : " operations").Append("):\n");
            foreach (var op in patch)
            {
                sb.Append("  ").Append(op.Op).Append(' ').Append(op.Path).Append(' ')
                    .Append(op.Value?.ToJsonString(ReadableJson.Options) ?? "null").Append('\n');
            }
        }

        var pod = outcome.ResultingPod;
        if (pod is null)
        {
            sb.Append("resulting pod: none, the API server rejects it\n");
        }
        else if (!ReferenceEquals(pod, input.Pod) || input.IsPreview)
        {
            // Ray previews are shown even when unchanged: the built pod is news to the reader; a Pod they wrote is not.
            sb.Append(ReferenceEquals(pod, input.Pod) ? "resulting pod (unchanged):\n" : "resulting pod:\n");
            YamlWriter.Write(pod, sb);
        }
        else
        {
            sb.Append("resulting pod: the input, unchanged\n");
        }
    }
}
