using System.Text.Json.Nodes;
using Platform.Sandbox.Webhook;
using Platform.Webhook.Manifests.KubeRay;

namespace Platform.Sandbox.Scenario;

/// <summary>A pod of the manifest after the webhook: its name (generated as the API server would), Ray identity, the admission answer and the GPUs it asks for.</summary>
internal sealed record ScenarioPod(string Namespace, string Name, string Cluster, string Group, string NodeType, RayPodPreview Preview, AdmissionResult Admission, int GpusBefore, int GpusAfter)
{
    public JsonObject Pod => Admission.Pod;

    /// <summary>GPU limits of every container, which is what the kubelet allocates by.</summary>
    public static int Gpus(JsonObject pod, string resource) =>
        (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>()
            .Sum(c => int.TryParse(c["resources"]?["limits"]?[resource]?.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0);
}
