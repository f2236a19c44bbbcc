namespace Platform.Webhook.Policy;

/// <summary>Where the GPU policy comes from (configuration section <c>Policy</c>).</summary>
internal sealed class PolicyFileOptions
{
    public const string SectionName = "Policy";

    /// <summary>
    /// Path of the policy file (YAML or JSON), watched and reloaded within 5 s of a change.
    /// Default: none, which means the built-in default policy (<see cref="GpuPolicy.Default"/>).
    /// </summary>
    public string? File { get; set; }
}
