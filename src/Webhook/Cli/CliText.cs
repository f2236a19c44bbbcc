namespace Platform.Webhook.Cli;

/// <summary>Usage text of the offline commands.</summary>
internal static class CliText
{
    public const string Usage = """
        Usage:
          Platform.Webhook mutate [--policy <file>|-] [options] [<file>...|-]
          Platform.Webhook check-policy <file>|-

        mutate      Preview what the webhook does to pods, with no cluster. Reads Pods, AdmissionReviews
                    (request.object of a pod CREATE), and RayCluster/RayJob/RayService resources (the pod of
                    every group, built as KubeRay v1.7.0 builds it), YAML or JSON, several documents per file.
                    With no file, or '-', reads stdin.
          --policy, -p <file>|-    GPU policy (YAML or JSON, version v1); - reads it from stdin (name the manifests then).
                                   Default: the built-in default policy.
          --output, -o <format>    report (default): per pod the decision, warnings, patch and resulting pod;
                                   yaml: the resulting pods; json: one object per pod; patch: one JSON patch per line.
          --namespace, -n <name>   Namespace for resources that name none (default: default).
          --on-error allow|deny    What the webhook does when it cannot mutate a pod, as Admission:OnError
                                   (default: allow, the pod is admitted unchanged).

        check-policy  Validate a policy file: prints "policy OK: N profiles, M rules", or every error with its path.

        Exit codes: 0 every pod allowed (policy valid), 1 a pod denied, 2 bad arguments or input (the reason on stderr).
        Run from the repository: dotnet run --project src/Webhook -- mutate --policy examples/policy.yaml examples/raycluster-gpu.yaml
        """;
}
