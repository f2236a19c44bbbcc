namespace Platform.DevicePlugin.Tests.TestSupport;

/// <summary>A short directory under /tmp (Unix socket paths must stay under 108 bytes), removed on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("dp-").FullName;
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A server still closing its socket: the OS temp cleaner gets it.
        }
    }
}
