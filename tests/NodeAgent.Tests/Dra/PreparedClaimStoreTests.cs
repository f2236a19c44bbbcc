using Platform.NodeAgent.Dra.Prepare;

namespace Platform.NodeAgent.Tests.Dra;

public sealed class PreparedClaimStoreTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dra-store-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static PreparedClaim Claim(string uid) => new(
        new ClaimRef("ml", "c", uid),
        [new PreparedDevice(["gpus"], "node-a", "gpu-0", "GPU-0", ["nvidia.com/gpu=GPU-0", $"gpu.raygpu.io/claim={uid}-gpus"])],
        $"/var/run/cdi/gpu.raygpu.io-claim_{uid}.json",
        new DateTimeOffset(2026, 12, 7, 17, 0, 0, TimeSpan.Zero));

    [Fact]
    public void SaveLoadDelete_RoundTrips_AndLeavesNoTempFiles()
    {
        var store = new PreparedClaimStore(_dir.FullName);
        var claim = Claim("0b8e3c1e-4f7a-4d2b-9a51-2f6d1c9e7a10");

        store.Save(claim);
        var loaded = store.Load(claim.Claim.Uid, out var problem);

        Assert.Null(problem);
        Assert.Equal(claim.Claim, loaded!.Claim);
        Assert.Equal(claim.CdiSpecFile, loaded.CdiSpecFile);
        Assert.Equal(claim.PreparedAt, loaded.PreparedAt);
        Assert.Equal(claim.Devices[0].CdiDeviceIds, loaded.Devices[0].CdiDeviceIds);
        Assert.Equal([claim.Claim.Uid], store.Uids());
        Assert.Equal([claim.Claim.Uid + ".json"], Directory.GetFiles(store.Directory).Select(Path.GetFileName));

        Assert.True(store.Delete(claim.Claim.Uid));
        Assert.False(store.Delete(claim.Claim.Uid));
        Assert.Null(store.Load(claim.Claim.Uid, out problem));
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("{}")]
    [InlineData("null")]
    public void Unreadable_IsNoRecord_WithTheProblemNamed(string content)
    {
        var store = new PreparedClaimStore(_dir.FullName);
        Directory.CreateDirectory(store.Directory);
        File.WriteAllText(Path.Combine(store.Directory, "u1.json"), content);

        Assert.Null(store.Load("u1", out var problem));
        Assert.Contains("u1.json", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("../etc/passwd")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    [InlineData("-x")]
    [InlineData("a b")]
    [InlineData("6a0f3e52-2b7c-4c1e-9d43-5b8f0c2a7e11\n")]
    public void UnsafeUids_AreRefused(string uid)
    {
        Assert.False(PreparedClaimStore.IsValidUid(uid));
        Assert.Throws<ArgumentException>(() => new PreparedClaimStore(_dir.FullName).Delete(uid));
    }

    [Fact]
    public void KubernetesUids_AreSafe() =>
        Assert.True(PreparedClaimStore.IsValidUid(Guid.NewGuid().ToString()));
}
