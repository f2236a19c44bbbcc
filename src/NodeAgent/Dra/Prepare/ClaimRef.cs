namespace Platform.NodeAgent.Dra.Prepare;

/// <summary>A claim as the kubelet names it in NodePrepareResources / NodeUnprepareResources.</summary>
internal sealed record ClaimRef(string Namespace, string Name, string Uid)
{
    public override string ToString() => $"{Namespace}/{Name} (uid {Uid})";
}
