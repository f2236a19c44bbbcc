namespace Platform.Webhook.Hosting;

/// <summary>
/// What a reloadable file (policy, certificate) looks like from outside, for <c>/readyz</c>:
/// the version in force and, when the newest version on disk was refused, why.
/// </summary>
/// <param name="Source">The file in force (or a description such as the built-in default).</param>
/// <param name="Loaded">Whether a good version is in force.</param>
/// <param name="LoadedAt">When the version in force was loaded.</param>
/// <param name="Fingerprint">Short SHA-256 of the content in force.</param>
/// <param name="Errors">Why the newest version on disk was refused; empty when it is the one in force.</param>
/// <param name="FailedAt">When that refusal happened.</param>
internal sealed record ReloadStatus(
    string Source,
    bool Loaded,
    DateTimeOffset? LoadedAt,
    string? Fingerprint,
    IReadOnlyList<string> Errors,
    DateTimeOffset? FailedAt)
{
    public static ReloadStatus NotLoaded(string source) => new(source, false, null, null, [], null);

    public static string FingerprintOf(params ReadOnlySpan<byte[]> contents)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var content in contents)
        {
            hash.AppendData(content);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }
}
