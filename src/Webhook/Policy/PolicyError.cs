namespace Platform.Webhook.Policy;

/// <summary>One problem in a policy, located by its path (<c>profiles.a10g.tolerations[0].effect</c>).</summary>
internal sealed record PolicyError(string Path, string Message)
{
    public override string ToString() => Path.Length == 0 ? Message : $"{Path}: {Message}";
}

/// <summary>The outcome of loading a policy: a policy, or every error found (never both).</summary>
internal sealed record PolicyLoadResult(GpuPolicy? Policy, IReadOnlyList<PolicyError> Errors)
{
    public bool IsValid => Policy is not null;
}

/// <summary>The policy in force. The host's store implements it with file watching and last-good semantics.</summary>
internal interface IPolicySource
{
    GpuPolicy Current { get; }
}
