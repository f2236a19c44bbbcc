namespace Platform.NodeAgent.Dra;

/// <summary>
/// Writes a file so that readers see the old content or the new, never a part: a temp file in the same
/// directory, flushed to disk, then renamed over the target. The container runtime reads CDI specs while
/// the kubelet starts other pods, and an agent killed mid-write must not leave half a record behind.
/// </summary>
internal static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> content)
    {
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);

        // A leading dot and a suffix that is neither .json nor .yaml: the CDI cache never loads a temp file.
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Deletes the file; true when it existed.</summary>
    public static bool Delete(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }
}
