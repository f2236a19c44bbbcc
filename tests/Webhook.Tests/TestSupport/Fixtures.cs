using System.Text;
using System.Text.Json.Nodes;

namespace Platform.Webhook.Tests.TestSupport;

/// <summary>Pods shaped like KubeRay v1.7.0 builds them (ray-operator/controllers/ray/common/pod.go), as the
/// API server sends them in request.object: defaulted, generateName set, no name.</summary>
internal static class Fixtures
{
    public const string HeadWithAutoscaler = "head-autoscaler";
    public const string GpuWorker = "worker-gpu";
    public const string CpuWorker = "worker-cpu";
    public const string WorkerWithoutGpuLimit = "worker-no-gpu-limit";
    public const string RedisCleanup = "redis-cleanup";
    public const string RayJobSubmitter = "rayjob-submitter";
    public const string PlainPod = "plain";

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static JsonObject Pod(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Directory, "pods", name + ".json")))!.AsObject();

    /// <summary>Wraps a pod in an AdmissionReview v1 request as the API server sends it.</summary>
    public static JsonObject Review(JsonObject pod, string operation = "CREATE", string uid = "705ab4f5-6393-11e8-b7cc-42010a800002", bool dryRun = false)
    {
        var ns = pod["metadata"]?["namespace"]?.GetValue<string>() ?? "default";
        return new JsonObject
        {
            ["apiVersion"] = "admission.k8s.io/v1",
            ["kind"] = "AdmissionReview",
            ["request"] = new JsonObject
            {
                ["uid"] = uid,
                ["kind"] = new JsonObject { ["group"] = string.Empty, ["version"] = "v1", ["kind"] = "Pod" },
                ["resource"] = new JsonObject { ["group"] = string.Empty, ["version"] = "v1", ["resource"] = "pods" },
                ["requestKind"] = new JsonObject { ["group"] = string.Empty, ["version"] = "v1", ["kind"] = "Pod" },
                ["requestResource"] = new JsonObject { ["group"] = string.Empty, ["version"] = "v1", ["resource"] = "pods" },
                ["namespace"] = ns,
                ["operation"] = operation,
                ["userInfo"] = new JsonObject
                {
                    ["username"] = "system:serviceaccount:ray-system:kuberay-operator",
                    ["groups"] = new JsonArray("system:serviceaccounts", "system:authenticated"),
                },
                ["object"] = pod.DeepClone(),
                ["oldObject"] = null,
                ["dryRun"] = dryRun,
                ["options"] = new JsonObject { ["apiVersion"] = "meta.k8s.io/v1", ["kind"] = "CreateOptions" },
            },
        };
    }

    public static byte[] ReviewBytes(JsonObject pod, string operation = "CREATE", string uid = "705ab4f5-6393-11e8-b7cc-42010a800002", bool dryRun = false) =>
        Encoding.UTF8.GetBytes(Review(pod, operation, uid, dryRun).ToJsonString());
}
