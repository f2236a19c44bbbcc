namespace Platform.Webhook.Tests.Hosting;

/// <summary>Policy files for the host tests (format v1, README "Policy reference"): A10G and H100 variants
/// of one rule, so a reload is visible in the next patch.</summary>
internal static class HostTestPolicies
{
    public const string A10g = """
        version: v1
        profiles:
          a10g:
            gpus: 1
            nodeSelector:
              nvidia.com/gpu.product: NVIDIA-A10G
        rules:
          - profile: a10g
            clusters: ["raycluster-*"]
        """;

    public const string H100 = """
        version: v1
        profiles:
          h100:
            gpus: 1
            nodeSelector:
              nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3
        rules:
          - profile: h100
            clusters: ["raycluster-*"]
        """;

    /// <summary>Two errors in one file: both must be reported, each with its path.</summary>
    public const string Invalid = """
        version: v1
        profiles:
          a10g:
            gpus: 0
        rules:
          - profile: missing
        """;
}
