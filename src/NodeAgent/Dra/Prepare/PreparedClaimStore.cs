using System.Text.Json;
using System.Text.RegularExpressions;

namespace Platform.NodeAgent.Dra.Prepare;

/// <summary>
/// Prepared claims, one JSON file per claim uid under <c>&lt;plugin directory&gt;/claims</c>. The kubelet keeps
/// its own checkpoint and retries Prepare after restarts (its own and the agent's), so this record is what
/// lets the agent answer a retry the same way and later undo exactly what it did.
/// </summary>
internal sealed partial class PreparedClaimStore(string pluginDirectory)
{
    public string Directory { get; } = Path.Combine(pluginDirectory, "claims");

    /// <summary>
    /// A uid that is safe as a file name and as a CDI device name (letters, digits, '.', '_', '-'; Kubernetes
    /// uids are UUIDs). Anything else is refused before it reaches the file system.
    /// </summary>
    public static bool IsValidUid(string? uid) => uid is not null && SafeUid().IsMatch(uid);

    /// <summary>The record of the claim, or null when there is none or it cannot be read (then <paramref name="problem"/> says why).</summary>
    public PreparedClaim? Load(string uid, out string? problem)
    {
        problem = null;
        var path = PathOf(uid);
        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            var claim = JsonSerializer.Deserialize(content, PreparedClaimJsonContext.Default.PreparedClaim);
            if (claim?.Claim is null || claim.Devices is null || string.IsNullOrEmpty(claim.CdiSpecFile))
            {
                problem = $"{path} is not a prepared-claim record";
                return null;
            }

            return claim;
        }
        catch (JsonException ex)
        {
            problem = $"{path} is not valid JSON: {ex.Message}";
            return null;
        }
    }

    public IReadOnlyList<string> Uids() =>
        System.IO.Directory.Exists(Directory)
            ? [.. System.IO.Directory.EnumerateFiles(Directory, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>().Where(IsValidUid).Order(StringComparer.Ordinal)]
            : [];

    public void Save(PreparedClaim claim) =>
        AtomicFile.Write(PathOf(claim.Claim.Uid), JsonSerializer.SerializeToUtf8Bytes(claim, PreparedClaimJsonContext.Default.PreparedClaim));

    public bool Delete(string uid) => AtomicFile.Delete(PathOf(uid));

    private string PathOf(string uid) =>
        IsValidUid(uid) ? Path.Combine(Directory, uid + ".json") : throw new ArgumentException($"claim uid '{uid}' is not a safe file name", nameof(uid));

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex SafeUid();
}
