using Platform.Webhook.Policy;

namespace Platform.Webhook.Tests.TestSupport;

internal static class TestPolicies
{
    /// <summary>The policy from the format description, with a second profile for enforcement.</summary>
    public const string Example = """
        version: v1
        gpuResourceName: nvidia.com/gpu
        gpuNodeLabel: nvidia.com/gpu.present
        head:
          avoidGpuNodes: true
          hideGpus: true
          annotations:
            cluster-autoscaler.kubernetes.io/safe-to-evict: "false"
        gpuPods:
          tolerations:
            - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
            - {key: ray.io/node-type, operator: Equal, value: worker, effect: NoSchedule}
          nodeSelector: {}
        profiles:
          a10g:
            gpus: 1
            enforce: false
            nodeSelector: {nvidia.com/gpu.product: NVIDIA-A10G}
            tolerations: []
            nodeAffinity: []
          h100x8:
            gpus: 8
            enforce: true
            nodeSelector: {nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3}
            tolerations:
              - {key: dedicated, operator: Equal, value: h100, effect: NoSchedule}
            nodeAffinity:
              - {key: topology.kubernetes.io/zone, operator: In, values: [us-east-1a, us-east-1b]}
        rules:
          - {profile: a10g, namespaces: ["ml-*"], clusters: ["*"], groups: ["gpu-*"]}
        """;

    public static GpuPolicy Parse(string yaml)
    {
        var result = PolicyLoader.Parse(yaml);
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        return result.Policy!;
    }

    public static GpuPolicy ExamplePolicy => Parse(Example);
}
