using Platform.Webhook.Mutation;

namespace Platform.Webhook.Tests.Mutation;

public class RayStartCommandTests
{
    [Theory]
    // KubeRay's own layout: double spaces between flags, ulimit first.
    [InlineData("ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start  --address=h:6379  --block  --num-gpus=1  --num-cpus=8 ", 2,
        "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start  --address=h:6379  --block  --num-gpus=2  --num-cpus=8 ")]
    [InlineData("ray start  --address=h:6379  --block ", 1, "ray start --num-gpus=1  --address=h:6379  --block ")]
    [InlineData("ray start --head --num-gpus 4 --block", 1, "ray start --head --num-gpus=1 --block")]
    [InlineData("ray start --num-gpus='3' --block", 1, "ray start --num-gpus=1 --block")]
    [InlineData("ray start --num-gpus=1", 1, "ray start --num-gpus=1")]
    [InlineData("cd /app && ray start --block; echo --num-gpus=9", 2, "cd /app && ray start --num-gpus=2 --block; echo --num-gpus=9")]
    [InlineData("ray start --resources='{\"a;b\": 1}' --num-gpus=1", 4, "ray start --resources='{\"a;b\": 1}' --num-gpus=4")]
    [InlineData("/home/ray/anaconda3/bin/ray start --block", 1, "/home/ray/anaconda3/bin/ray start --num-gpus=1 --block")]
    public void WithNumGpus_RewritesOrAddsTheFlag(string command, int gpus, string expected) =>
        Assert.Equal(expected, RayStartCommand.WithNumGpus(command, gpus, addWhenMissing: true, out _));

    [Theory]
    [InlineData("python train.py")]
    [InlineData("array start --block")]
    [InlineData("ray status")]
    [InlineData("")]
    public void WithNumGpus_NoRayStart_ReturnsNull(string command) =>
        Assert.Null(RayStartCommand.WithNumGpus(command, 1, addWhenMissing: true, out _));

    [Theory]
    [InlineData("ulimit -n 65536; ray start  --address=h:6379  --block  --num-gpus=2  --num-cpus=8 ", 2, false)]
    [InlineData("ray start --block", 2, false)]
    [InlineData("ray start --num-gpus=2 --block; ray start --num-gpus=2", 2, true)]
    public void WithNumGpus_LineThatAgrees_IsTheSameString(string command, int gpus, bool addWhenMissing) =>
        Assert.Same(command, RayStartCommand.WithNumGpus(command, gpus, addWhenMissing, out _));

    [Fact]
    public void WithNumGpus_RunTwice_IsStable()
    {
        var once = RayStartCommand.WithNumGpus("ray start --block", 2, addWhenMissing: true, out _)!;

        Assert.Equal(once, RayStartCommand.WithNumGpus(once, 2, addWhenMissing: true, out var previous));
        Assert.Equal("2", previous);
    }

    [Theory]
    [InlineData("ray start --num-gpus=2 --block", "2")]
    [InlineData("ray start --num-gpus 3 --block", "3")]
    [InlineData("ray start --block", null)]
    public void WithNumGpus_ReportsWhatTheFlagSaid(string command, string? expected)
    {
        RayStartCommand.WithNumGpus(command, 1, addWhenMissing: false, out var previous);

        Assert.Equal(expected, previous);
    }

    [Fact]
    public void WithNumGpus_NotAddingWhenMissing_LeavesTheLine() =>
        Assert.Equal("ray start --block", RayStartCommand.WithNumGpus("ray start --block", 1, addWhenMissing: false, out _));
}
