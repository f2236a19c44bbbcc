namespace Platform.Webhook.Manifests;

/// <summary>The pods found in a set of manifests, and the documents that held none.</summary>
internal sealed class PodInputs
{
    public List<PodInput> Pods { get; } = [];

    public List<SkippedDocument> Skipped { get; } = [];
}
